import Foundation
import Testing

@testable import Datasets

@Suite("SHA-256")
struct SHA256Tests {
    /// The NIST example vectors (FIPS 180-2, appendix B, and the one-million-'a' message).
    @Test("NIST example vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func vectors(message: String, expected: String) {
        #expect(SHA256.hash(bytes: Array(message.utf8)).hexString == expected)
    }

    @Test("One million times 'a'")
    func millionA() {
        let message = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(SHA256.hash(bytes: message).hexString == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }
}

@Suite("SHA-256 streaming")
struct SHA256StreamingTests {
    @Test("any split of the input gives the same digest")
    func splits() {
        var state: UInt64 = 12345
        let message: [UInt8] = (0..<1_000).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let expected = SHA256.hash(bytes: message)
        for chunk in [1, 3, 55, 56, 63, 64, 65, 127, 128, 999] {
            var hasher = SHA256()
            var offset = 0
            while offset < message.count {
                let end = min(offset + chunk, message.count)
                hasher.update(bytes: message[offset..<end])
                offset = end
            }
            #expect(hasher.finalize() == expected, "chunks of \(chunk)")
        }
        // Non-contiguous sequences work too.
        #expect(SHA256.hash(bytes: message.lazy.map { $0 }) == expected)
    }

    @Test("padding boundaries: 55, 56 and 64 bytes")
    func paddingBoundaries() {
        // Reference values from sha256sum.
        #expect(SHA256.hash(bytes: [UInt8](repeating: 0x61, count: 55)).hexString == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318")
        #expect(SHA256.hash(bytes: [UInt8](repeating: 0x61, count: 56)).hexString == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a")
        #expect(SHA256.hash(bytes: [UInt8](repeating: 0x61, count: 64)).hexString == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb")
    }

    @Test("sha256Hex(ofFileAt:) streams files larger than its buffer")
    func files() throws {
        let directory = try TemporaryDirectory()
        let abc = directory.file("abc")
        try Data("abc".utf8).write(to: abc)
        #expect(try sha256Hex(ofFileAt: abc) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")

        let large = directory.file("large")
        let bytes = (0..<(2_500_000)).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) }
        try Data(bytes).write(to: large)
        #expect(try sha256Hex(ofFileAt: large) == SHA256.hash(bytes: bytes).hexString)
        #expect(throws: (any Error).self) { try sha256Hex(ofFileAt: directory.file("missing")) }
    }
}
