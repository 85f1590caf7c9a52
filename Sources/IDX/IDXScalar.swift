/// A Swift type that holds the elements of one ``IDXElementType``.
///
/// `UInt8`, `Int8`, `Int16`, `Int32`, `Float` and `Double` conform; they are the only types an
/// IDX file can hold. Use them with ``IDXArray/init(shape:values:)`` and
/// ``IDXArray/values(as:)``. Do not conform other types.
public protocol IDXScalar: BitwiseCopyable, Sendable {
    /// The IDX element type whose values this type holds.
    static var idxElementType: IDXElementType { get }
    /// Wraps values of this type in the storage of an ``IDXArray``.
    static func makeElements(_ values: [Self]) -> IDXArray.Elements
    /// The values stored in `elements` when they have this type, else `nil`.
    static func values(in elements: IDXArray.Elements) -> [Self]?
}

extension UInt8: IDXScalar {
    public static var idxElementType: IDXElementType { .uint8 }
    public static func makeElements(_ values: [UInt8]) -> IDXArray.Elements { .uint8(values) }
    public static func values(in elements: IDXArray.Elements) -> [UInt8]? {
        if case .uint8(let values) = elements { return values }
        return nil
    }
}

extension Int8: IDXScalar {
    public static var idxElementType: IDXElementType { .int8 }
    public static func makeElements(_ values: [Int8]) -> IDXArray.Elements { .int8(values) }
    public static func values(in elements: IDXArray.Elements) -> [Int8]? {
        if case .int8(let values) = elements { return values }
        return nil
    }
}

extension Int16: IDXScalar {
    public static var idxElementType: IDXElementType { .int16 }
    public static func makeElements(_ values: [Int16]) -> IDXArray.Elements { .int16(values) }
    public static func values(in elements: IDXArray.Elements) -> [Int16]? {
        if case .int16(let values) = elements { return values }
        return nil
    }
}

extension Int32: IDXScalar {
    public static var idxElementType: IDXElementType { .int32 }
    public static func makeElements(_ values: [Int32]) -> IDXArray.Elements { .int32(values) }
    public static func values(in elements: IDXArray.Elements) -> [Int32]? {
        if case .int32(let values) = elements { return values }
        return nil
    }
}

extension Float: IDXScalar {
    public static var idxElementType: IDXElementType { .float32 }
    public static func makeElements(_ values: [Float]) -> IDXArray.Elements { .float32(values) }
    public static func values(in elements: IDXArray.Elements) -> [Float]? {
        if case .float32(let values) = elements { return values }
        return nil
    }
}

extension Double: IDXScalar {
    public static var idxElementType: IDXElementType { .float64 }
    public static func makeElements(_ values: [Double]) -> IDXArray.Elements { .float64(values) }
    public static func values(in elements: IDXArray.Elements) -> [Double]? {
        if case .float64(let values) = elements { return values }
        return nil
    }
}
