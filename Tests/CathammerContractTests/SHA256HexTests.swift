import CathammerContract
import XCTest

final class SHA256HexTests: XCTestCase {
    /// FIPS 180-2 / NIST example vectors.
    func testKnownVectors() {
        XCTAssertEqual(SHA256Hex.of(Array("".utf8)), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256Hex.of(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256Hex.of(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256Hex.of([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    func testRawBuffersIncludingOnesWithoutAnAddress() {
        XCTAssertEqual(SHA256Hex.of(UnsafeRawBufferPointer(start: nil, count: 0)), SHA256Hex.of([]))
        let hello = Array("hello".utf8)
        hello.withUnsafeBytes { XCTAssertEqual(SHA256Hex.of($0), "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824") }
    }
}
