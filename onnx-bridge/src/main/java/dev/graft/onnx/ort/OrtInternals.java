package dev.graft.onnx.ort;

import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.TensorInfo;
import dev.graft.onnx.proto.ElementType;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.Buffer;
import java.nio.ByteBuffer;

/**
 * Two things ONNX Runtime's Java API (1.19) does not offer publicly, reached through its
 * package-private members: a view of an output tensor's native memory (so an output is copied once,
 * straight into ND4J's buffer, instead of twice through a Java heap buffer), and input tensors of the
 * unsigned types uint16, uint32 and uint64, for which {@code OnnxJavaType} has no constant.
 *
 * <p>Everything is looked up once, by exact signature, and only for the ONNX Runtime version it was
 * written and tested against ({@value #TESTED_VERSION}.x); with any other version, or when a member
 * is missing, or with {@code -Dgraft.onnx.ort.internals=false}, both are unavailable and {@link
 * OrtEngine} falls back to the public API (one extra copy per output; unsigned inputs refused with a
 * clear message). The input path calls the same native constructor the public {@code
 * OnnxTensor.createTensor} calls, with the element type ONNX Runtime's JNI layer expects.
 */
final class OrtInternals {
    static final String TESTED_VERSION = "1.19";

    /** {@code OnnxTensor.getBuffer()}, as a method handle: no reflective call (nor accessor generation) on the hot path. */
    private static final MethodHandle GET_BUFFER;
    private static final Method CREATE_FROM_BUFFER;
    private static final Field API_HANDLE;
    private static final Field DEFAULT_ALLOCATOR;
    private static final Field ALLOCATOR_HANDLE;
    private static final Constructor<TensorInfo> TENSOR_INFO;
    private static final Constructor<OnnxTensor> TENSOR;

    static {
        MethodHandle getBuffer = null;
        Method create = null;
        Field api = null;
        Field alloc = null;
        Field allocHandle = null;
        Constructor<TensorInfo> info = null;
        Constructor<OnnxTensor> tensor = null;
        String version = OnnxTensor.class.getPackage() == null ? null : OnnxTensor.class.getPackage().getImplementationVersion();
        boolean enabled = !"false".equalsIgnoreCase(System.getProperty("graft.onnx.ort.internals"))
                && version != null && (version.equals(TESTED_VERSION) || version.startsWith(TESTED_VERSION + "."));
        if (enabled) {
            try {
                Method m = OnnxTensor.class.getDeclaredMethod("getBuffer");
                if (m.getReturnType() != ByteBuffer.class) {
                    throw new NoSuchMethodException("getBuffer returns " + m.getReturnType());
                }
                m.setAccessible(true);
                getBuffer = MethodHandles.lookup().unreflect(m);
            } catch (ReflectiveOperationException | RuntimeException e) {
                getBuffer = null;
            }
            try {
                create = OnnxTensor.class.getDeclaredMethod("createTensorFromBuffer", long.class, long.class, Buffer.class, int.class, long.class,
                        long[].class, int.class);
                if (create.getReturnType() != long.class) {
                    throw new NoSuchMethodException("createTensorFromBuffer returns " + create.getReturnType());
                }
                Class<?> runtime = Class.forName("ai.onnxruntime.OnnxRuntime");
                api = runtime.getDeclaredField("ortApiHandle");
                alloc = OrtEnvironment.class.getDeclaredField("defaultAllocator");
                allocHandle = Class.forName("ai.onnxruntime.OrtAllocator").getDeclaredField("handle");
                info = TensorInfo.class.getDeclaredConstructor(long[].class, OnnxJavaType.class, TensorInfo.OnnxTensorType.class);
                tensor = OnnxTensor.class.getDeclaredConstructor(long.class, long.class, TensorInfo.class, Buffer.class, boolean.class);
                if (api.getType() != long.class || allocHandle.getType() != long.class) {
                    throw new NoSuchFieldException("handle types changed");
                }
                for (var m : new java.lang.reflect.AccessibleObject[] {create, api, alloc, allocHandle, info, tensor}) {
                    m.setAccessible(true);
                }
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                create = null;
            }
        }
        GET_BUFFER = getBuffer;
        CREATE_FROM_BUFFER = create;
        API_HANDLE = create == null ? null : api;
        DEFAULT_ALLOCATOR = create == null ? null : alloc;
        ALLOCATOR_HANDLE = create == null ? null : allocHandle;
        TENSOR_INFO = create == null ? null : info;
        TENSOR = create == null ? null : tensor;
    }

    private OrtInternals() {
    }

    /** Whether output tensors can be read without the public API's heap copy. */
    static boolean outputViewAvailable() {
        return GET_BUFFER != null;
    }

    /** Whether uint16/uint32/uint64 input tensors can be made. */
    static boolean unsignedInputsAvailable() {
        return CREATE_FROM_BUFFER != null;
    }

    /** A view of the tensor's native memory (valid until the tensor is closed), or null. */
    static ByteBuffer outputView(OnnxTensor t) {
        if (GET_BUFFER == null) {
            return null;
        }
        try {
            return (ByteBuffer) GET_BUFFER.invokeExact(t);
        } catch (Throwable e) {
            if (e instanceof Error err && !(e instanceof LinkageError)) {
                throw err;
            }
            return null;
        }
    }

    /**
     * A tensor of an unsigned type over a direct buffer holding exactly the tensor's bytes (not
     * copied; the buffer must outlive the tensor), or null when unavailable.
     */
    static OnnxTensor unsignedTensor(OrtEnvironment env, ByteBuffer direct, long[] shape, ElementType type) throws ai.onnxruntime.OrtException {
        if (CREATE_FROM_BUFFER == null || !direct.isDirect()
                || (type != ElementType.UINT16 && type != ElementType.UINT32 && type != ElementType.UINT64)) {
            return null;
        }
        long count = 1;
        for (long d : shape) {
            count *= d;
        }
        if (direct.capacity() != type.bytesFor(count) || direct.position() != 0) {
            throw new IllegalArgumentException("buffer of " + direct.capacity() + " bytes for " + count + " " + type + " elements");
        }
        TensorInfo.OnnxTensorType ortType = TensorInfo.OnnxTensorType.valueOf("ONNX_TENSOR_ELEMENT_DATA_TYPE_" + type.name());
        try {
            long apiHandle = API_HANDLE.getLong(null);
            long allocator = ALLOCATOR_HANDLE.getLong(DEFAULT_ALLOCATOR.get(env));
            long handle = (long) CREATE_FROM_BUFFER.invoke(null, apiHandle, allocator, direct, 0, (long) direct.capacity(), shape.clone(), ortType.value);
            TensorInfo info = TENSOR_INFO.newInstance(shape.clone(), OnnxJavaType.UNKNOWN, ortType);
            return TENSOR.newInstance(handle, allocator, info, direct, false);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof ai.onnxruntime.OrtException o) {
                throw o;
            }
            throw new IllegalStateException("ONNX Runtime failed creating a " + type + " tensor", e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("ONNX Runtime internals changed", e);
        }
    }
}
