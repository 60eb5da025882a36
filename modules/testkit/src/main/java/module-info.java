/**
 * Test support for code built on Proxima's tensor core, for the project's own modules and for users'
 * tests (use it in test scope):
 * <ul>
 *   <li>{@link dev.proxima.testkit.NoLeaks}: a JUnit 5 extension failing a test that leaves host tensor
 *       memory allocated;</li>
 *   <li>{@link dev.proxima.testkit.Tolerance} and {@link dev.proxima.testkit.TensorAssertions}: per-dtype
 *       tolerances and {@code assertClose} with messages naming the first mismatching element;</li>
 *   <li>{@link dev.proxima.testkit.GradcheckTable}: a table of differentiable cases run through
 *       {@code Autodiff.gradcheck}/{@code gradgradcheck} as JUnit dynamic tests;</li>
 *   <li>{@link dev.proxima.testkit.BackendContract}: the contract every backend (CPU, simulated, CUDA…)
 *       must pass, against values computed independently in plain Java.</li>
 *   <li>{@link dev.proxima.testkit.ReferenceTable}: reference tensors from a text fixture written by a
 *       committed PyTorch or NumPy script, with a case's parameters as a state dict.</li>
 * </ul>
 */
module dev.proxima.testkit {
    requires transitive dev.proxima.tensor;
    requires transitive org.junit.jupiter.api;

    exports dev.proxima.testkit;
}
