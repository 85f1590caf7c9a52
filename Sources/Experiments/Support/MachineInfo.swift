import Foundation
import MLP

/// What machine produced a result: CPU model, core count, OS, compiled kernel.
public struct MachineInfo: Codable, Sendable {
    public var cpuModel: String
    public var cores: Int
    public var memoryGiB: Double
    public var os: String
    public var kernel: String

    public static func current() -> MachineInfo {
        var model = "unknown"
        if let text = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
           let line = text.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
           let colon = line.firstIndex(of: ":") {
            model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let info = ProcessInfo.processInfo
        return MachineInfo(cpuModel: model, cores: Parallel.availableCores,
                           memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                           os: info.operatingSystemVersionString, kernel: GEMMTiling.description)
    }
}
