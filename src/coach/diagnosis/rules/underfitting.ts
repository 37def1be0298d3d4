/**
 * underfitting: the model stopped short of what it could learn, either because training ended while the
 * loss was still falling, or because it cannot even fit its training rows.
 *
 * Fires on either
 * - not converged: the run used all its epochs (no early stop) and over its last third (at least 4 epochs)
 *   the monitored loss (validation, else training) still falls with a slope beyond 2 standard errors, at a
 *   pace that, kept up for as many epochs again, would lower it by at least PROJECTED_GAIN (10%) and by at
 *   least 5% of the learnable loss (MIN_EFFECT: a nearly perfect model creeping from 7e-4 to 3e-4 is not
 *   short of anything), and, with validation, the training loss also still falls beyond 2 standard
 *   errors (§7.2 "train down and val down: keep going"). A validation loss that drifts down while the
 *   training loss has flattened is the decaying schedule settling the weights (the recipe's cosine ends
 *   near a learning rate of 0), which a longer run does not extend: on boston_housing such a tail
 *   projected 89% more gain, and twice the epochs lowered R² on 2 of 3 seeds;
 * - too little capacity: the training loss has flattened (no significant slope over the last third), there
 *   is no generalization gap (validation within 10% of training), and the model has captured less than
 *   half of the gap between the untrained loss and a perfect model's on its own training rows (but is not worse than
 *   untrained: that is divergence, not a lack of capacity).
 *
 * Severity medium, or low for a run that is only slightly short of convergence (projected gain under 25%).
 * Confidence from the slope's t-statistic or how little was captured.
 * Actions (§8 "Underfitting"): train longer, raise the learning rate a bit, a wider model, less
 * regularization.
 */

import type { ActionDraft } from "../actions.js";
import { MIN_EFFECT } from "../curve-shape.js";
import { moreEpochs, raiseLr, resizeHidden, setting } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { confidenceZ, sig, trend } from "../statistics.js";

export const PROJECTED_GAIN = 0.1;
export const MIN_TAIL = 4;

export const underfitting: Rule = {
  symptom: "underfitting",
  duringTraining: false,
  check(f): RuleFinding | undefined {
    if (f.nonFinite || f.epochs < MIN_TAIL) return undefined;
    const series = f.hasVal ? f.val : f.train;
    const tail = series.slice(-Math.max(MIN_TAIL, Math.ceil(series.length / 3))).filter(Number.isFinite);
    if (tail.length < MIN_TAIL) return undefined;
    const t = trend(tail);
    const current = tail[tail.length - 1]!;
    const usedAll = !f.earlyStopped && (f.record.epochs === undefined || f.epochs >= f.record.epochs);
    const gain = (-t.slope * f.epochs) / Math.max(Math.abs(current), 1e-12);
    const trainTail = f.train.slice(-tail.length).filter(Number.isFinite);
    const tt = trend(trainTail);
    const trainFlat = !(tt.slope < 0 && -tt.slope > 2 * tt.se);
    // §7.2 "train down and val down: keep going": with validation, the training loss must still fall too
    const falling =
      t.slope < 0 &&
      -t.slope > 2 * t.se &&
      gain >= PROJECTED_GAIN &&
      -t.slope * f.epochs >= MIN_EFFECT * f.learnable &&
      (!f.hasVal || !trainFlat);
    const trainLast = trainTail[trainTail.length - 1]!;
    const captured = (f.untrainedLoss - trainLast) / f.learnable;
    const valLast = f.hasVal ? current : trainLast;
    const noGap = valLast <= trainLast * 1.1;
    const lowCapacity = trainFlat && noGap && captured >= 0 && captured < 0.5;
    if (!(usedAll && falling) && !lowCapacity) return undefined;
    const actions: ActionDraft[] = [];
    if (usedAll && falling) {
      actions.push(
        moreEpochs(f, "§8 underfitting: train longer (with early stopping); the loss was still falling"),
      );
      actions.push(raiseLr(f, "§8 underfitting: increase the learning rate a bit", 3));
    } else {
      actions.push(resizeHidden(f, 2, "§8 underfitting: increase model depth/width"));
      actions.push(raiseLr(f, "§8 underfitting: increase the learning rate a bit", 3));
    }
    const drop = setting(f.record, "dropout");
    const wd = setting(f.record, "weightDecay");
    if (drop && drop > 0)
      actions.push({ change: { dropout: 0 }, why: "§8 underfitting: reduce regularization (dropout)" });
    if (wd && wd > 0)
      actions.push({
        change: { "weight-decay": 0 },
        why: "§8 underfitting: reduce regularization (weight decay)",
      });
    return {
      severity: usedAll && falling && gain < 0.25 && !lowCapacity ? "low" : "medium",
      confidence:
        usedAll && falling ? confidenceZ(-t.slope / t.se, 2) : confidenceZ((0.5 - captured) * 10, 0),
      evidence: {
        still_falling: usedAll && falling,
        slope_per_epoch: sig(t.slope),
        projected_gain: sig(gain),
        train_loss: sig(trainLast),
        untrained_loss: sig(f.untrainedLoss),
        captured_share: sig(captured),
        low_capacity: lowCapacity,
      },
      explanation:
        usedAll && falling
          ? `the ${f.hasVal ? "validation" : "training"} loss was still falling when training ended (${sig(t.slope)} per epoch over the last ${tail.length} epochs)`
          : `the training loss flattened at ${sig(trainLast)}, capturing only ${Math.round(captured * 100)}% of the learnable loss, with no gap to validation`,
      actions,
    };
  },
};
