import Testing
@testable import IDX
@Test func placeholderIDX() { #expect(Bool(true)) }
