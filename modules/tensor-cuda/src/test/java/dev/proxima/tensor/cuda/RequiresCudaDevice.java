package dev.proxima.tensor.cuda;

import dev.proxima.cuda.Cuda;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a test only where {@link Cuda#availability()} finds a CUDA device (the driver, or the CUDA shim that the
 * build's {@code cuda-shim} profile selects where no driver exists). The condition is decided per test method, not
 * per class, so every skipped test is reported as skipped with the reason (a class-level assumption in
 * {@code @BeforeAll} made surefire report 0 run and 0 skipped); the reason is also printed once per JVM.
 */
final class RequiresCudaDevice implements ExecutionCondition {

    private static final AtomicBoolean PRINTED = new AtomicBoolean();

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (context.getTestMethod().isEmpty()) {
            return ConditionEvaluationResult.enabled("decided per test");
        }
        Cuda.Availability a = Cuda.availability();
        if (PRINTED.compareAndSet(false, true)) {
            System.out.println(a.available() ? "[cuda] " + a.reason() : "[cuda] SKIPPED gpu tests: " + a.reason());
        }
        return a.available() ? ConditionEvaluationResult.enabled(a.reason())
                : ConditionEvaluationResult.disabled("no CUDA device: " + a.reason());
    }
}
