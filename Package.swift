// swift-tools-version:6.0
import PackageDescription
import Foundation

// The numerical kernels must be compiled for the CPU they run on: Swift's default x86-64 target
// has no FMA, and `SIMD16<Float>.addingProduct` then becomes one libm `fmaf` call per lane.
// By default we compile for the build machine (`-target-cpu native`, like `-march=native`), and
// tell the kernels through the `SUBLIMINAL_AVX512` condition whether 512-bit registers exist,
// because the micro-kernel's register tile depends on the register file.
// `SUBLIMINAL_PORTABLE=1 swift build` gives a binary that runs on any CPU of the architecture.
let environment = ProcessInfo.processInfo.environment
let portable = environment["SUBLIMINAL_PORTABLE"].map { $0 != "0" && !$0.isEmpty } ?? false

/// The CPU flags of the build machine (Linux only; empty elsewhere).
func hostCPUFlags() -> Set<String> {
    guard let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return [] }
    for line in text.split(separator: "\n") where line.hasPrefix("flags") {
        if let colon = line.firstIndex(of: ":") {
            return Set(line[line.index(after: colon)...].split(separator: " ").map(String.init))
        }
    }
    return []
}

// The engine and the experiments are compiled with optimization even in debug builds: an
// unoptimized SGEMM is ~100x slower, which would make `swift test` (which builds debug) take
// hours for the end-to-end tests. Debug builds keep assertions and -enable-testing.
var kernelSettings: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"]),
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]
#if arch(x86_64)
if !portable {
    kernelSettings.append(.unsafeFlags(["-target-cpu", "native"]))
    let flags = hostCPUFlags()
    if flags.contains("avx512f") && flags.contains("fma") { kernelSettings.append(.define("SUBLIMINAL_AVX512")) }
    if flags.contains("fma") { kernelSettings.append(.define("SUBLIMINAL_FMA")) }
}
#elseif arch(arm64)
if !portable {
    kernelSettings.append(.unsafeFlags(["-target-cpu", "native"]))
    kernelSettings.append(.define("SUBLIMINAL_FMA"))  // NEON always has fused multiply-add
}
#endif

let package = Package(
    name: "subliminal",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "subliminal", targets: ["subliminal"]),
        .library(name: "MLP", targets: ["MLP"]),
        .library(name: "IDX", targets: ["IDX"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    ],
    targets: [
        // zlib from the system (Debian: zlib1g-dev).
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            providers: [.apt(["zlib1g-dev"]), .brew(["zlib"])]
        ),
        // The IDX file format (every element type, any rank), raw or gzip-compressed.
        .target(name: "IDX", dependencies: ["CZlib"]),
        // MNIST-format datasets: locating, loading, normalizing and checksumming them.
        .target(name: "Datasets", dependencies: ["IDX"]),
        // Vector math Swift's standard library does not vectorize (square roots).
        .target(name: "CSIMDMath"),
        // The atomics and spin-wait hint with which a thread team hands out a step's phases.
        .target(name: "CThreads"),
        // The numerical engine: tensors, SIMD kernels, layers, losses, optimizers, randomness.
        .target(name: "MLP", dependencies: ["CSIMDMath", "CThreads"], swiftSettings: kernelSettings),
        // The experiments: Figure 10b reproduction, the theorem check, sweeps, benchmarks.
        .target(name: "Experiments", dependencies: ["Datasets", "MLP"], swiftSettings: kernelSettings),
        // The command-line tool.
        .executableTarget(
            name: "subliminal",
            dependencies: [
                "Experiments", "Datasets", "MLP", "IDX",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "IDXTests", dependencies: ["IDX"]),
        .testTarget(name: "DatasetsTests", dependencies: ["Datasets"]),
        .testTarget(name: "MLPTests", dependencies: ["MLP"], swiftSettings: kernelSettings),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "Datasets", "MLP"]),
    ]
)
