import Testing
@testable import MLP
@Test func placeholderMLP() { #expect(Bool(true)) }
