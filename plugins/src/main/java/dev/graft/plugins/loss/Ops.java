package dev.graft.plugins.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/** SameDiff compositions shared by the losses, built only from ops whose gradients are checked. */
final class Ops {
    private Ops() {
    }

    /**
     * {@code log softmax(z)} over axis 1, as {@code (z - m) - log(sum(exp(z - m)))} with {@code m} the
     * row maximum ({@code nn.logSoftmax} has a broken backward pass in ND4J 1.0.0-M2.1).
     */
    static SDVariable logSoftmax(SameDiff sd, SDVariable z) {
        SDVariable shifted = z.sub(z.max(true, 1));
        SDVariable logSumExp = sd.math().log(sd.math().exp(shifted).sum(true, 1));
        return shifted.sub(logSumExp);
    }

    /** The message of a classification-only loss given a regression target. */
    static String needsClasses(String id, dev.graft.api.data.Target.Regression r, String hint) {
        return id + " needs class labels, the dataset has regression targets of shape " + r.shape() + "; " + hint;
    }

    /** The message of a regression-only loss given class labels. */
    static String needsRegression(String id, dev.graft.api.data.Target.Classes c) {
        return id + " needs regression targets, the dataset has " + c.count()
                + " classes; use softmax-cross-entropy for classes";
    }
}
