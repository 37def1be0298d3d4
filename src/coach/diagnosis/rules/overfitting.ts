/**
 * overfitting: the model keeps improving on its training rows while getting worse, or staying far worse,
 * on validation rows.
 *
 * With b the epoch of the lowest validation loss and "learned" = untrained loss - best validation loss
 * (what the model gained over knowing nothing), fires when either
 * - the validation loss rose after b by at least GIVE_BACK (10%) of what was learned, for at least
 *   MIN_RISE_EPOCHS (3) epochs, while the training loss kept falling (the recipe's "train down, val up",
 *   §7.2). Judging the rise against what was learned, not against the loss itself, keeps a nearly
 *   perfect model whose validation loss wiggles from 0.021 to 0.028 from counting, and
 * - or the final gap between validation and training loss is at least GAP_SHARE (25%) of the learnable loss
 *   (§14 "val loss much higher than train loss").
 * Neither applies to a model whose best validation loss is within MIN_LEARNED (5%) of the learnable loss (RunFacts.learnable):
 * it learned nothing to give back (that is stuck_at_chance / not_learning).
 * When validation accuracy is logged, its fall from its best by more than 2 binomial standard errors is
 * added to the evidence.
 *
 * Severity: low when early stopping ended the run and restored the best epoch's weights (the recipe's
 * first remedy already contained it; regularizing may still improve the best), else high when the rise
 * gave back at least a quarter of what was learned, else medium. Confidence 0.5 at the limit, 0.95 at
 * ten times it.
 * Actions (§8 "Overfitting", §6, §2): weight decay, dropout, early stopping (when the run had none), a
 * smaller model, label smoothing (classification); for images, text and audio a label-preserving
 * augmentation first (§2: improve the data first; shifts of a tenth of the image, dropping a tenth of a
 * text's n-grams, SpecAugment masks; tables have none the recipe trusts). When the validation loss was
 * still above its best more than PATIENCE (10) epochs later, the run cannot have had early stopping,
 * which then comes first: §6's first regularizer needs no tuning and returns the best epoch's model.
 */

import type { ActionDraft } from "../actions.js";
import { dropout, resizeHidden, setting, weightDecay } from "../remedies.js";
import type { Rule, RuleFinding } from "../rule.js";
import { lastHalf, metricSeries, type RunFacts } from "../run-facts.js";
import type { RunRecord } from "../run-record.js";
import { binomialSe, confidenceBeyond, median, sig } from "../statistics.js";

export const GIVE_BACK = 0.1;
/** The recipe's early-stopping patience (§7.8: 5-10; nncoach's default). */
export const PATIENCE = 10;
/** Label-preserving augmentations of the data kinds that have one (§2: images shifts, text n-gram dropout). */
export const AUGMENTATION: Partial<Record<RunRecord["data"]["kind"], string>> = {
  images: "translate:0.1",
  text: "drop:0.1",
  audio: "specaugment",
};
export const MIN_RISE_EPOCHS = 3;
export const GAP_SHARE = 0.25;
/** A model that learned less than this share of the learnable loss has nothing to overfit (it is stuck). */
export const MIN_LEARNED = 0.05;

/** The overfitting measurements, shared with the rules that weigh overfitting (too_little_data). */
export function overfitSigns(f: RunFacts) {
  if (!f.best) return undefined;
  const lastIdx = f.val.length - 1 - [...f.val].reverse().findIndex(Number.isFinite);
  const valLast = f.val[lastIdx]!;
  const trainLast = f.train[lastIdx]!;
  const learned = f.untrainedLoss - f.best.val;
  if (!(learned >= MIN_LEARNED * f.learnable) || !Number.isFinite(valLast) || !Number.isFinite(trainLast))
    return undefined;
  const rise = valLast - f.best.val;
  const riseEpochs = lastIdx + 1 - f.best.epoch;
  const rising = rise >= GIVE_BACK * learned && riseEpochs >= MIN_RISE_EPOCHS && trainLast < f.best.train;
  const gap = valLast - trainLast;
  const gapped = gap >= GAP_SHARE * f.learnable;
  return { valLast, trainLast, learned, rise, riseEpochs, rising, gap, gapped, lastEpoch: lastIdx + 1 };
}

export const overfitting: Rule = {
  symptom: "overfitting",
  duringTraining: true,
  check(f): RuleFinding | undefined {
    const s = overfitSigns(f);
    if (!s || !f.best || (!s.rising && !s.gapped)) return undefined;
    const acc = metricSeries(f, "val_accuracy");
    const evidence: Record<string, number | null | boolean> = {
      best_epoch: f.best.epoch,
      train_loss: sig(s.trainLast),
      val_loss_at_best: sig(f.best.val),
      val_loss_last: sig(s.valLast),
      gap_ratio: sig(s.valLast / Math.max(s.trainLast, 1e-12)),
      rise_share_of_learned: sig(s.rise / s.learned),
      gap_share_of_untrained: sig(s.gap / f.learnable),
      contained_by_early_stopping: f.restoredEpoch !== undefined,
    };
    if (acc.length > 0) {
      const finite = acc.filter(Number.isFinite);
      const bestAcc = Math.max(...finite);
      const lastAcc = median(lastHalf(acc).slice(-3));
      evidence.val_accuracy_best = sig(bestAcc);
      evidence.val_accuracy_last = sig(lastAcc);
      evidence.accuracy_drop_significant = bestAcc - lastAcc > 2 * binomialSe(bestAcc, f.nVal);
    }
    const contained = f.restoredEpoch !== undefined;
    const strength = Math.max(s.rise / (GIVE_BACK * s.learned), s.gap / (GAP_SHARE * f.learnable));
    const regularize: ActionDraft[] = [
      weightDecay(f, "§8 overfitting: add L2 weight decay (§11: 1e-4 to start)"),
      dropout(f, "§8 overfitting: add or strengthen dropout (§11: 0.1-0.3)"),
    ];
    const stop: ActionDraft[] =
      !f.earlyStopped && setting(f.record, "earlyStopping") !== PATIENCE
        ? [
            {
              change: { "early-stopping": PATIENCE },
              why: `§6/§8 overfitting: use early stopping (patience ${PATIENCE}) and keep the best epoch`,
            },
          ]
        : [];
    const spec = AUGMENTATION[f.record.data.kind];
    const augment: ActionDraft[] =
      spec && !setting(f.record, "augment")
        ? [
            {
              change: { augment: spec },
              why: `§2/§6: data augmentation (${spec}) is regularization from the data`,
            },
          ]
        : [];
    // validation loss still rising PATIENCE epochs after its best: the run had no early stopping (it would
    // have ended the run), which alone gives back the best epoch's model
    const unstopped = s.rising && !f.earlyStopped && s.riseEpochs > PATIENCE;
    const actions: ActionDraft[] = unstopped
      ? [...stop, ...augment, ...regularize]
      : [...augment, ...regularize, ...stop];
    actions.push(resizeHidden(f, 0.5, "§8 overfitting: reduce the model size slightly"));
    if (f.record.task === "classification")
      actions.push({
        change: { "label-smoothing": 0.1 },
        why: "§6: label smoothing (0.05-0.1) regularizes classifiers",
      });
    return {
      severity: contained ? "low" : s.rise >= 0.25 * s.learned ? "high" : "medium",
      confidence: confidenceBeyond(strength, 1),
      evidence,
      explanation: s.rising
        ? `validation loss rose for ${s.riseEpochs} epochs after epoch ${f.best.epoch} (from ${sig(f.best.val)} to ${sig(s.valLast)}) while training loss kept falling (to ${sig(s.trainLast)})` +
          (contained ? `; early stopping restored epoch ${f.restoredEpoch}` : "")
        : `validation loss (${sig(s.valLast)}) stayed far above training loss (${sig(s.trainLast)})` +
          (contained ? `; early stopping restored epoch ${f.restoredEpoch}` : ""),
      actions,
    };
  },
};
