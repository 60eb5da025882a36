/**
 * Panama (FFM) bindings to OpenBLAS: CBLAS levels 1–3 and the library loader.
 *
 * <p>No JNI and no generated runtime: each C function is one {@link java.lang.invoke.MethodHandle}
 * created by {@link java.lang.foreign.Linker}. Every public method validates its arguments in Java
 * (dimensions, leading dimensions, segment sizes) and throws {@link IllegalArgumentException}
 * before the native call, so a wrong call never reaches OpenBLAS.
 */
module dev.proxima.blas {
    exports dev.proxima.blas;
}
