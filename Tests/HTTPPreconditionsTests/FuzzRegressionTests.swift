import HTTPPreconditions
import Testing

/// Inputs the fuzz targets (Fuzz/) found, kept by name.
@Suite("Fuzz regressions: HTTPPreconditions")
struct PreconditionsFuzzRegressionTests {
    @Test("fuzz: a leap second after 9999-12-31 23:59:59 parses to an instant IMF-fixdate can write (crash input \"   Fri, 31 Dec 9999 23:59:60 GMT \")")
    func leapSecondAtTheEndOfYear9999() throws {
        let date = try #require(HTTPDate("   Fri, 31 Dec 9999 23:59:60 GMT "))
        #expect(date.imfFixdate == "Fri, 31 Dec 9999 23:59:59 GMT")
        #expect(HTTPDate(date.imfFixdate) == date)
        // Elsewhere a leap second still counts as the next second.
        #expect(HTTPDate("Sat, 31 Dec 2016 23:59:60 GMT") == HTTPDate("Sun, 01 Jan 2017 00:00:00 GMT"))
    }
}
