import Testing
@testable import Experiments
@Test func placeholderExperiments() { #expect(Bool(true)) }
