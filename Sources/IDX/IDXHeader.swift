/// The header of an IDX file: the element type and the shape of the array.
///
/// On disk the header is the magic number `00 00 TT RR` (type code `TT`, rank `RR`) followed by
/// `RR` big-endian 32-bit dimension sizes, outermost first. The payload that follows holds
/// `shape.reduce(1, *)` elements in row-major order.
///
/// A header value is always valid: its rank is in 1...255, every dimension is in
/// 1...`UInt32.max`, and the payload size in bytes fits in an `Int`.
public struct IDXHeader: Sendable, Hashable {
    /// The type of the elements.
    public let type: IDXElementType
    /// The size of each dimension, outermost first.
    public let shape: [Int]
    /// The number of elements, the product of the dimensions.
    public let elementCount: Int

    /// The number of dimensions.
    @inlinable
    public var rank: Int { shape.count }

    /// The number of bytes of the payload: `elementCount * type.byteWidth`.
    @inlinable
    public var payloadByteCount: Int { elementCount &* type.byteWidth }

    /// The number of bytes of the encoded header: 4 for the magic number plus 4 per dimension.
    @inlinable
    public var byteCount: Int { 4 + 4 * rank }

    /// Creates the header of an array of the given type and shape.
    ///
    /// - Throws: ``IDXError/invalidShape(_:reason:)`` when the rank is not in 1...255, a
    ///   dimension is not in 1...`UInt32.max`, or the payload would not fit in memory's address
    ///   space.
    public init(type: IDXElementType, shape: [Int]) throws {
        switch Self.validate(shape: shape, type: type) {
        case .success(let count):
            self.init(type: type, shape: shape, elementCount: count)
        case .failure(let problem):
            throw IDXError.invalidShape(shape, reason: problem.reason)
        }
    }

    init(type: IDXElementType, shape: [Int], elementCount: Int) {
        self.type = type
        self.shape = shape
        self.elementCount = elementCount
    }

    /// The encoded header: magic number and big-endian dimensions.
    public var encoded: [UInt8] {
        var bytes: [UInt8] = [0, 0, type.code, UInt8(rank)]
        bytes.reserveCapacity(byteCount)
        for dimension in shape {
            let value = UInt32(dimension)
            bytes += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        return bytes
    }
}

// MARK: - Validation

extension IDXHeader {
    /// Why a shape cannot describe an IDX array.
    enum ShapeProblem: Error, Equatable {
        case noDimensions
        case tooManyDimensions(Int)
        case zeroDimension(axis: Int)
        case negativeDimension(axis: Int)
        case dimensionTooLarge(axis: Int)
        case overflow

        var reason: String {
            switch self {
            case .noDimensions:
                return "an IDX array has at least one dimension"
            case .tooManyDimensions(let rank):
                return "an IDX array has at most 255 dimensions, not \(rank)"
            case .zeroDimension(let axis):
                return "dimension \(axis) has size 0; every dimension must be at least 1"
            case .negativeDimension(let axis):
                return "dimension \(axis) is negative"
            case .dimensionTooLarge(let axis):
                return "dimension \(axis) does not fit in the 32-bit size field of the IDX header"
            case .overflow:
                return "the number of bytes of the array overflows a 64-bit integer"
            }
        }
    }

    /// Checks a shape and returns its element count.
    static func validate(shape: [Int], type: IDXElementType) -> Result<Int, ShapeProblem> {
        if shape.isEmpty { return .failure(.noDimensions) }
        if shape.count > 255 { return .failure(.tooManyDimensions(shape.count)) }
        var count = 1
        var overflowed = false
        for (axis, dimension) in shape.enumerated() {
            if dimension == 0 { return .failure(.zeroDimension(axis: axis)) }
            if dimension < 0 { return .failure(.negativeDimension(axis: axis)) }
            if dimension > Int(UInt32.max) { return .failure(.dimensionTooLarge(axis: axis)) }
            // Keep scanning after an overflow so that a later zero dimension is reported instead.
            if !overflowed {
                let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
                overflowed = overflow
                count = product
            }
        }
        if overflowed { return .failure(.overflow) }
        // The payload plus the largest header (4 + 4 * 255 bytes) must be addressable.
        let (bytes, overflow) = count.multipliedReportingOverflow(by: type.byteWidth)
        if overflow || bytes > Int.max - 1024 { return .failure(.overflow) }
        return .success(count)
    }

    /// Decodes and validates a header from its type code (the third byte of the magic number)
    /// and its big-endian dimension sizes (4 bytes per dimension).
    static func decode(
        typeCode: UInt8, dimensions: UnsafeRawBufferPointer, path: String
    ) throws -> IDXHeader {
        guard let type = IDXElementType(rawValue: typeCode) else {
            throw IDXError.unknownElementType(path: path, code: typeCode)
        }
        let rank = dimensions.count / 4
        var shape = [Int]()
        shape.reserveCapacity(rank)
        for axis in 0..<rank {
            let bigEndian = dimensions.loadUnaligned(fromByteOffset: 4 * axis, as: UInt32.self)
            shape.append(Int(UInt32(bigEndian: bigEndian)))
        }
        switch validate(shape: shape, type: type) {
        case .success(let count):
            return IDXHeader(type: type, shape: shape, elementCount: count)
        case .failure(.noDimensions):
            throw IDXError.invalidRank(path: path)
        case .failure(.zeroDimension(let axis)):
            throw IDXError.zeroDimension(path: path, axis: axis, shape: shape)
        case .failure:
            // Ranks above 255 and dimensions above UInt32.max cannot be encoded, so the only
            // other failure of a decoded header is an overflowing size.
            throw IDXError.sizeOverflow(path: path, shape: shape)
        }
    }
}
