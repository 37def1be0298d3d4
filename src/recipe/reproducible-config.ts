/**
 * The options that reproduce a run: those the user set (command line or config file), without the ones
 * that say where results go. With the same version's defaults and planner they train the same run again;
 * options left at their defaults are left out, so that the planner adapts them exactly as it did. Saved as
 * a run folder's config.json, and kept in the run record (for the commands the diagnosis proposes).
 *
 * @example
 * reproducibleConfig(resolveConfig(null, { data: "wine.csv", target: "cultivar", lr: 0.01, save: "runs/w" }));
 * // { data: "/abs/wine.csv", target: "cultivar", lr: 0.01 }
 */
import { configToJson, type ResolvedConfig, TRAIN_OPTIONS } from "../train/config.js";

/** Options that say where a run writes, not how it trains: not part of a reproducing config. */
export const OUTPUT_OPTIONS = ["save", "logDir", "checkpoint", "resume", "json", "evaluateTest"] as const;

export function reproducibleConfig(resolved: ResolvedConfig): Record<string, unknown> {
  const all = configToJson(resolved.values);
  const out: Record<string, unknown> = {};
  for (const o of TRAIN_OPTIONS) {
    if ((OUTPUT_OPTIONS as readonly string[]).includes(o.name)) continue;
    if (o.name === "data" || resolved.sources[o.name] !== "default") out[o.name] = all[o.name];
  }
  return out;
}
