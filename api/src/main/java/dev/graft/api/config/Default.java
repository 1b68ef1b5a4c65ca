package dev.graft.api.config;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The value a config record component takes when the experiment file leaves its key out, written
 * as the user would write it ({@code "0.5"}, {@code "true"}, {@code "he-uniform"}, {@code "[3, 3]"}).
 * A component without this annotation is required. Use {@link #NULL} to make an optional component
 * whose absence is {@code null}.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.RECORD_COMPONENT, ElementType.PARAMETER, ElementType.FIELD, ElementType.METHOD})
public @interface Default {
    /** Marker for "absent means null". */
    String NULL = "\u0000null";

    String value();
}
