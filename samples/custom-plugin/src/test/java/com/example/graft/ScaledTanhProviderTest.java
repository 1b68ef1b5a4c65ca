package com.example.graft;

import dev.graft.api.Mode;
import dev.graft.api.Shape;
import dev.graft.testkit.GradientCheck;
import dev.graft.testkit.ProviderContract;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a plugin author's own test looks like: the provider contract and a gradient check. */
class ScaledTanhProviderTest {
    private final ScaledTanhProvider provider = new ScaledTanhProvider();

    @Test
    void followsTheProviderContract() {
        ProviderContract.check(provider);
        assertThat(ProviderContract.checkServices(dev.graft.api.layer.LayerProvider.class))
                .anyMatch(p -> p.id().equals("scaled-tanh"));
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        GradientCheck.layer(provider.create(new ScaledTanhProvider.Config(1.7159, 2.0 / 3)))
                .inputs(Shape.of(6)).batch(3).mode(Mode.TRAIN).check();
    }

    @Test
    void rejectsNonPositiveOptions() {
        assertThatThrownBy(() -> new ScaledTanhProvider.Config(0, 1)).hasMessageContaining("must be positive");
    }
}
