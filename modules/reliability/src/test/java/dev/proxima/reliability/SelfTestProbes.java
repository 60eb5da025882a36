package dev.proxima.reliability;

import dev.proxima.tensor.DType;
import dev.proxima.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Probes that fail on purpose, each in one of the ways the harness must catch; only
 * {@link ProbeSuiteTest#crashesHangsLeaksAndErrorsAreNamedAndTheOtherProbesStillRun} runs them.
 */
final class SelfTestProbes {

    private SelfTestProbes() {
    }

    static void register(Probes p) {
        // reads address 8: SIGSEGV, the JVM dies
        p.add("selftest.crash", () -> MemorySegment.ofAddress(8).reinterpret(8).get(ValueLayout.JAVA_LONG, 0));
        p.add("selftest.hang", () -> Thread.sleep(Long.MAX_VALUE));
        p.add("selftest.leak", () -> Tensor.ones(DType.F32, 3));
        p.add("selftest.error", SelfTestProbes::recurse);
    }

    private static void recurse() {
        recurse();
    }
}
