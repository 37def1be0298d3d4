/**
 * Node module hooks that make `onnxruntime-node` unresolvable, as in a project where npm left the optional
 * package out because its install script failed. A test starts node with `WITHOUT_NATIVE_ORT` (an
 * `--import` that registers this file); the error is the one Node raises for a package that is not there.
 */
export async function resolve(
  specifier: string,
  context: { parentURL?: string },
  next: (specifier: string, context: unknown) => Promise<unknown>,
): Promise<unknown> {
  if (specifier === "onnxruntime-node") {
    const e = new Error(
      `Cannot find package 'onnxruntime-node' imported from ${context.parentURL}`,
    ) as NodeJS.ErrnoException;
    e.code = "ERR_MODULE_NOT_FOUND";
    throw e;
  }
  return next(specifier, context);
}

/** Node arguments that register these hooks. */
export const WITHOUT_NATIVE_ORT = [
  "--import",
  `data:text/javascript,import{register}from"node:module";register(${JSON.stringify(import.meta.url)});`,
];
