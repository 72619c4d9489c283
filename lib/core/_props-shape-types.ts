// The shapes of props and arguments, as scripts/generate-props-shapes.ts reads them from the
// declarations (lib/core/_props-shapes.generated.ts) and lib/core/_props-check.ts checks values against them.

/** The shape of a value, as the declarations give it. */
export type Shape =
  | 'string'
  | 'number'
  | 'boolean'
  | 'function'
  | 'any'
  | { readonly lit: readonly (string | number | boolean | null)[]; readonly names?: readonly string[] }
  | { readonly arr: Shape }
  | { readonly map: Shape }
  | { readonly union: readonly Shape[] }
  | { readonly ref: string }
  | { readonly obj: TypeShape }
  | { readonly ext: 'Duration' | 'Size' | 'construct' | 'object' | 'struct' };

/** An object type: its properties as [shape, optional (1) or required (0)]. */
export interface TypeShape {
  /** `reference` for classes and I-interfaces: things referred to, kept by reference, not copied. */
  kind: 'object' | 'reference';
  props: Record<string, readonly [Shape, 0 | 1]>;
  index?: Shape;
}

/** The generated table: constructor and method parameters, and the named types they use. */
export interface ShapeTable {
  readonly entries: Record<string, readonly (readonly [string, Shape, 0 | 1])[]>;
  readonly types: Record<string, TypeShape>;
}
