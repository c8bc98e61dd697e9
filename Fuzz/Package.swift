// swift-tools-version: 6.1
import PackageDescription

// libFuzzer targets, one per parser, kept in their own package so that the main package's
// build and tests never see the sanitizer flags. Build and run with `Fuzz/run TARGET [SECONDS]`;
// the build flags are explained in Fuzz/README.md.
let package = Package(
    name: "CachetFuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "Cachet", path: ".."),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.3"),
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(
            name: "FuzzSupport",
            dependencies: [
                "CLibFuzzer",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzEntityTagList",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzHTTPDate",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzRange",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzPreconditions",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzCacheControl",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPCachePolicy", package: "Cachet"),
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzTargetedCacheControl",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPCachePolicy", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzCacheKey",
            dependencies: [
                "FuzzSupport",
                .product(name: "HTTPCachePolicy", package: "Cachet"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzDiskEntry",
            dependencies: [
                "FuzzSupport",
                .product(name: "CachetStorage", package: "Cachet"),
                .product(name: "HTTPCachePolicy", package: "Cachet"),
                .product(name: "HTTPPreconditions", package: "Cachet"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzRequestHead",
            dependencies: [
                "FuzzSupport",
                .product(name: "CachetProxy", package: "Cachet"),
                .product(name: "HTTPCachePolicy", package: "Cachet"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzSimpleRequestHead",
            dependencies: [
                "FuzzSupport",
                .product(name: "CachetHummingbird", package: "Cachet"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
        .executableTarget(
            name: "FuzzRESP",
            dependencies: [
                "FuzzSupport",
                .product(name: "CachetRedis", package: "Cachet"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
    ]
)
