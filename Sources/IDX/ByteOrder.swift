/// Converts elements of `width` bytes between big-endian (the byte order of IDX files) and the
/// byte order of the host, in place. Does nothing on a big-endian host or when `width` is 1.
///
/// The conversion is its own inverse, so it serves for reading and for writing.
func convertBigEndian(_ bytes: UnsafeMutableRawBufferPointer, elementWidth width: Int) {
    #if _endian(little)
    switch width {
    case 2: swapBytes(bytes, as: UInt16.self)
    case 4: swapBytes(bytes, as: UInt32.self)
    case 8: swapBytes(bytes, as: UInt64.self)
    default: precondition(width == 1, "unsupported element width \(width)")
    }
    #endif
}

/// Reverses the bytes of every `T`-sized element of `bytes`.
///
/// Raw unaligned loads and stores keep this free of any assumption about the type the memory is
/// bound to; the optimizer turns the loop into vector byte shuffles.
@inline(__always)
private func swapBytes<T: FixedWidthInteger>(_ bytes: UnsafeMutableRawBufferPointer, as _: T.Type) {
    guard let base = bytes.baseAddress else { return }
    let stride = MemoryLayout<T>.size
    let count = bytes.count / stride
    for index in 0..<count {
        let value = base.loadUnaligned(fromByteOffset: index &* stride, as: T.self)
        base.storeBytes(of: value.byteSwapped, toByteOffset: index &* stride, as: T.self)
    }
}
