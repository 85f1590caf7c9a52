/// The type of the elements of an IDX array.
///
/// An IDX file starts with the magic number `00 00 TT RR`: two zero bytes, a type code `TT` and
/// the rank `RR`. The type code is the raw value of this enumeration. Multi-byte elements are
/// stored big-endian in the file; the reader and the writer convert them to and from the byte
/// order of the host.
public enum IDXElementType: UInt8, CaseIterable, Sendable, Hashable, Codable {
    /// Unsigned 8-bit integers (code `0x08`), the type of MNIST's images and labels.
    case uint8 = 0x08
    /// Signed 8-bit integers (code `0x09`).
    case int8 = 0x09
    /// Signed 16-bit integers (code `0x0B`).
    case int16 = 0x0B
    /// Signed 32-bit integers (code `0x0C`).
    case int32 = 0x0C
    /// IEEE 754 single-precision floating-point numbers (code `0x0D`).
    case float32 = 0x0D
    /// IEEE 754 double-precision floating-point numbers (code `0x0E`).
    case float64 = 0x0E

    /// The type code stored in the third byte of the magic number.
    @inlinable
    public var code: UInt8 { rawValue }

    /// The number of bytes one element occupies, in the file and in memory.
    @inlinable
    public var byteWidth: Int {
        switch self {
        case .uint8, .int8: return 1
        case .int16: return 2
        case .int32, .float32: return 4
        case .float64: return 8
        }
    }

    /// The name the IDX specification gives the type, for messages (e.g. `"unsigned byte"`).
    public var specificationName: String {
        switch self {
        case .uint8: return "unsigned byte"
        case .int8: return "signed byte"
        case .int16: return "short"
        case .int32: return "int"
        case .float32: return "float"
        case .float64: return "double"
        }
    }
}

extension IDXElementType: CustomStringConvertible {
    /// The specification name and the code, e.g. `"unsigned byte (0x08)"`.
    public var description: String { "\(specificationName) (\(hexByte(code)))" }
}

/// Formats a byte as `0x` followed by two upper-case hexadecimal digits.
func hexByte(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
}
