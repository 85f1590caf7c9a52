#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#elseif canImport(Musl)
import Musl
#endif

/// Buffers at least this large get huge-page backing where the OS offers it.
@usableFromInline let hugePageThreshold = 4 << 20

/// A 64-byte aligned, contiguous buffer of `Float32` with value semantics (copy on write).
///
/// 64 bytes is one cache line and one 512-bit register: kernels may rely on it for the first
/// element, though they never assume alignment of interior rows.
public struct FloatBuffer: @unchecked Sendable {
    @usableFromInline final class Storage {
        @usableFromInline let pointer: UnsafeMutablePointer<Float>
        @usableFromInline let count: Int
        @usableFromInline init(count: Int) {
            self.count = count
            let bytes = max(count, 1) * 4
            // Large buffers (datasets, noise sets, activations) are aligned to 2 MiB and asked to
            // be backed by transparent huge pages: minibatches gather rows at random from 188 MB
            // matrices, and with 4 KiB pages nearly every row costs a TLB miss.
            let huge = bytes >= hugePageThreshold
            var raw: UnsafeMutableRawPointer?
            guard posix_memalign(&raw, huge ? 2 << 20 : 64, bytes) == 0, let raw else {
                fatalError("FloatBuffer: cannot allocate \(bytes) bytes")
            }
            #if os(Linux)
            if huge { _ = madvise(raw, bytes, 14 /* MADV_HUGEPAGE */) }
            #endif
            pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
            pointer.initialize(repeating: 0, count: max(count, 1))
        }
        deinit { free(pointer) }
    }

    @usableFromInline var storage: Storage

    /// A zero-filled buffer of `count` floats.
    public init(count: Int) {
        precondition(count >= 0, "FloatBuffer: negative count \(count)")
        storage = Storage(count: count)
    }

    public init(_ values: [Float]) {
        self.init(count: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { storage.pointer.update(from: base, count: values.count) }
        }
    }

    public var count: Int { storage.count }

    /// Read-only pointer to the first element (valid while `self` is alive).
    @inlinable public var pointer: UnsafePointer<Float> { UnsafePointer(storage.pointer) }

    /// Mutable pointer to the first element; copies the storage first if it is shared.
    @inlinable public var mutablePointer: UnsafeMutablePointer<Float> {
        mutating get {
            if !isKnownUniquelyReferenced(&storage) {
                let copy = Storage(count: storage.count)
                copy.pointer.update(from: storage.pointer, count: storage.count)
                storage = copy
            }
            return storage.pointer
        }
    }

    @inlinable public subscript(i: Int) -> Float {
        get { precondition(i >= 0 && i < count); return storage.pointer[i] }
        set { precondition(i >= 0 && i < count); mutablePointer[i] = newValue }
    }

    public var array: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    public mutating func fill(_ value: Float) { mutablePointer.update(repeating: value, count: count) }
}

/// A row-major `rows × cols` Float32 matrix backed by a `FloatBuffer`.
public struct Matrix: Sendable {
    public private(set) var rows: Int
    public private(set) var cols: Int
    public var buffer: FloatBuffer

    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "Matrix: negative shape \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        buffer = FloatBuffer(count: rows * cols)
    }

    public init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "Matrix: \(values.count) values for \(rows)×\(cols)")
        self.rows = rows
        self.cols = cols
        buffer = FloatBuffer(values)
    }

    @inlinable public var pointer: UnsafePointer<Float> { buffer.pointer }
    @inlinable public var mutablePointer: UnsafeMutablePointer<Float> { mutating get { buffer.mutablePointer } }

    public subscript(r: Int, c: Int) -> Float {
        get { precondition(r < rows && c < cols); return buffer[r * cols + c] }
        set { precondition(r < rows && c < cols); buffer[r * cols + c] = newValue }
    }

    /// A read-only view of the whole matrix.
    public var view: MatrixView { MatrixView(pointer, rows: rows, cols: cols, ld: cols) }
    /// A read-only view of rows `range`.
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows)
        return MatrixView(pointer + range.lowerBound * cols, rows: range.count, cols: cols, ld: cols)
    }
}

/// A non-owning, read-only row-major view: element (r, c) is at `base[rowIndex?[r] ?? r) * ld + c]`.
///
/// The optional `rowIndex` gathers physical rows through an index array, so a minibatch of a
/// dataset can feed the GEMM packers directly without being copied out first.
public struct MatrixView: @unchecked Sendable {
    public let base: UnsafePointer<Float>
    public let rows: Int
    public let cols: Int
    public let ld: Int
    public let rowIndex: UnsafePointer<Int32>?

    public init(_ base: UnsafePointer<Float>, rows: Int, cols: Int, ld: Int, rowIndex: UnsafePointer<Int32>? = nil) {
        precondition(rows >= 0 && cols >= 0 && ld >= cols, "MatrixView: bad shape \(rows)×\(cols) ld \(ld)")
        self.base = base
        self.rows = rows
        self.cols = cols
        self.ld = ld
        self.rowIndex = rowIndex
    }

    /// Pointer to the start of logical row `r`.
    @inlinable @inline(__always) public func row(_ r: Int) -> UnsafePointer<Float> {
        if let rowIndex { return base + Int(rowIndex[r]) &* ld }
        return base + r &* ld
    }

    @inlinable public subscript(r: Int, c: Int) -> Float { row(r)[c] }

    /// The view of logical rows `range` (a gathered view keeps gathering through its index).
    public func rows(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= rows, "MatrixView: rows \(range) of \(rows)")
        if let rowIndex { return MatrixView(base, rows: range.count, cols: cols, ld: ld, rowIndex: rowIndex + range.lowerBound) }
        return MatrixView(base + range.lowerBound * ld, rows: range.count, cols: cols, ld: ld)
    }

    /// The view of columns `range` of every row.
    public func columns(_ range: Range<Int>) -> MatrixView {
        precondition(range.lowerBound >= 0 && range.upperBound <= cols, "MatrixView: columns \(range) of \(cols)")
        return MatrixView(base + range.lowerBound, rows: rows, cols: range.count, ld: ld, rowIndex: rowIndex)
    }
}
