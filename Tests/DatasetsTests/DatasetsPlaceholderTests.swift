import Testing
@testable import Datasets
@Test func placeholderDatasets() { #expect(Bool(true)) }
