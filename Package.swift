// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "Cachet",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "HTTPPreconditions", targets: ["HTTPPreconditions"]),
        .library(name: "HTTPCachePolicy", targets: ["HTTPCachePolicy"]),
        .executable(name: "cachet", targets: ["cachet"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-http-structured-headers.git", from: "1.7.0"),
    ],
    targets: [
        .target(
            name: "HTTPPreconditions",
            dependencies: [.product(name: "HTTPTypes", package: "swift-http-types")]
        ),
        .target(
            name: "HTTPCachePolicy",
            dependencies: [
                "HTTPPreconditions",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "RawStructuredFieldValues", package: "swift-http-structured-headers"),
            ]
        ),
        .executableTarget(
            name: "cachet",
            dependencies: [
                "HTTPPreconditions",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(
            name: "HTTPPreconditionsTests",
            dependencies: [
                "HTTPPreconditions",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "HTTPCachePolicyTests",
            dependencies: [
                "HTTPCachePolicy",
                "HTTPPreconditions",
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ]
        ),
    ]
)
