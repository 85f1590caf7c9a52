#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An n-dimensional array of one IDX element type, as stored in an IDX file.
///
/// The elements are kept in row-major order (the last dimension varies fastest), in the byte
/// order of the host. The shape and the element count always agree: the initializers check it.
///
/// ```swift
/// let labels = try IDXReader.read(contentsOf: url)          // e.g. shape [60000]
/// guard let bytes = labels.asUInt8() else { ... }           // nil unless the type is .uint8
/// let matrix = try IDXArray(shape: [2, 3], values: [1, 2, 3, 4, 5, 6] as [Float])
/// try IDXWriter.write(matrix, to: url, compressed: true)
/// ```
public struct IDXArray: Sendable {
    /// The elements of an array, one case per element type.
    public enum Elements: Sendable {
        case uint8([UInt8])
        case int8([Int8])
        case int16([Int16])
        case int32([Int32])
        case float32([Float])
        case float64([Double])
    }

    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The elements in row-major order.
    public let elements: Elements

    /// The type of the elements.
    @inlinable
    public var type: IDXElementType { elements.type }

    /// The number of dimensions.
    @inlinable
    public var rank: Int { shape.count }

    /// The number of elements.
    @inlinable
    public var count: Int { elements.count }

    /// The header that describes this array in an IDX file.
    public var header: IDXHeader { IDXHeader(type: type, shape: shape, elementCount: count) }

    /// Creates an array from a shape and elements.
    ///
    /// - Throws: ``IDXError/invalidShape(_:reason:)`` when the shape cannot describe an IDX
    ///   array (see ``IDXHeader/init(type:shape:)``), ``IDXError/countMismatch(shape:expected:actual:)``
    ///   when the number of elements is not the product of the shape.
    public init(shape: [Int], elements: Elements) throws {
        let header = try IDXHeader(type: elements.type, shape: shape)
        guard header.elementCount == elements.count else {
            throw IDXError.countMismatch(shape: shape, expected: header.elementCount, actual: elements.count)
        }
        self.init(unchecked: shape, elements: elements)
    }

    /// Creates an array of the element type of `T` from a shape and row-major values.
    ///
    /// - Throws: the errors of ``init(shape:elements:)``.
    public init<T: IDXScalar>(shape: [Int], values: [T]) throws {
        try self.init(shape: shape, elements: T.makeElements(values))
    }

    init(unchecked shape: [Int], elements: Elements) {
        self.shape = shape
        self.elements = elements
    }

    /// The elements as an array of `T`, or `nil` when `T` is not the Swift type of ``type``.
    ///
    /// No conversion takes place: a `.uint8` array yields `[UInt8]` and nothing else.
    @inlinable
    public func values<T: IDXScalar>(as type: T.Type = T.self) -> [T]? {
        T.values(in: elements)
    }

    /// The elements if the type is ``IDXElementType/uint8``, else `nil`.
    @inlinable public func asUInt8() -> [UInt8]? { values(as: UInt8.self) }
    /// The elements if the type is ``IDXElementType/int8``, else `nil`.
    @inlinable public func asInt8() -> [Int8]? { values(as: Int8.self) }
    /// The elements if the type is ``IDXElementType/int16``, else `nil`.
    @inlinable public func asInt16() -> [Int16]? { values(as: Int16.self) }
    /// The elements if the type is ``IDXElementType/int32``, else `nil`.
    @inlinable public func asInt32() -> [Int32]? { values(as: Int32.self) }
    /// The elements if the type is ``IDXElementType/float32``, else `nil`.
    @inlinable public func asFloat() -> [Float]? { values(as: Float.self) }
    /// The elements if the type is ``IDXElementType/float64``, else `nil`.
    @inlinable public func asDouble() -> [Double]? { values(as: Double.self) }

    /// Every element converted to `Double`, whatever the element type (the conversion is exact
    /// for all six IDX types).
    public func doubleValues() -> [Double] {
        switch elements {
        case .uint8(let values): return values.map(Double.init)
        case .int8(let values): return values.map(Double.init)
        case .int16(let values): return values.map(Double.init)
        case .int32(let values): return values.map(Double.init)
        case .float32(let values): return values.map(Double.init)
        case .float64(let values): return values
        }
    }
}

extension IDXArray.Elements {
    /// The element type of these elements.
    @inlinable
    public var type: IDXElementType {
        switch self {
        case .uint8: return .uint8
        case .int8: return .int8
        case .int16: return .int16
        case .int32: return .int32
        case .float32: return .float32
        case .float64: return .float64
        }
    }

    /// The number of elements.
    @inlinable
    public var count: Int {
        switch self {
        case .uint8(let values): return values.count
        case .int8(let values): return values.count
        case .int16(let values): return values.count
        case .int32(let values): return values.count
        case .float32(let values): return values.count
        case .float64(let values): return values.count
        }
    }

    /// Calls `body` with the bytes of the elements, in the byte order of the host.
    public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        switch self {
        case .uint8(let values): return try values.withUnsafeBytes(body)
        case .int8(let values): return try values.withUnsafeBytes(body)
        case .int16(let values): return try values.withUnsafeBytes(body)
        case .int32(let values): return try values.withUnsafeBytes(body)
        case .float32(let values): return try values.withUnsafeBytes(body)
        case .float64(let values): return try values.withUnsafeBytes(body)
        }
    }

    /// Creates `count` elements of `type` whose bytes `fill` writes, in host byte order.
    ///
    /// `fill` receives the uninitialized storage of `count * type.byteWidth` bytes and must
    /// write all of it unless it throws.
    static func make(
        type: IDXElementType, count: Int, fill: (UnsafeMutableRawBufferPointer) throws -> Void
    ) throws -> IDXArray.Elements {
        func array<T: IDXScalar>(of _: T.Type) throws -> [T] {
            try [T](unsafeUninitializedCapacity: count) { buffer, initialized in
                try fill(UnsafeMutableRawBufferPointer(buffer))
                initialized = count
            }
        }
        switch type {
        case .uint8: return .uint8(try array(of: UInt8.self))
        case .int8: return .int8(try array(of: Int8.self))
        case .int16: return .int16(try array(of: Int16.self))
        case .int32: return .int32(try array(of: Int32.self))
        case .float32: return .float32(try array(of: Float.self))
        case .float64: return .float64(try array(of: Double.self))
        }
    }
}

extension IDXArray: Equatable {
    /// Two arrays are equal when they have the same type, the same shape and bit-for-bit the
    /// same elements. So a NaN equals the same NaN, and `0.0` differs from `-0.0`: equality
    /// means "the files would be identical", not numerical equality.
    public static func == (lhs: IDXArray, rhs: IDXArray) -> Bool {
        guard lhs.type == rhs.type, lhs.shape == rhs.shape else { return false }
        return lhs.elements.withUnsafeBytes { left in
            rhs.elements.withUnsafeBytes { right in
                left.count == right.count
                    && (left.isEmpty || memcmp(left.baseAddress!, right.baseAddress!, left.count) == 0)
            }
        }
    }
}

extension IDXArray: CustomStringConvertible {
    /// The type and the shape, e.g. `IDXArray(unsigned byte (0x08), shape [60000, 28, 28])`.
    public var description: String { "IDXArray(\(type), shape \(shape))" }
}
