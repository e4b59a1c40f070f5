import { createContext } from 'preact';
import { useContext, useLayoutEffect, useRef } from 'preact/hooks';

/** What a field tells the form around it. */
export interface FieldHandle {
  /** What to say when the field's input is not valid (default: check the field). */
  invalidMessage?: string;
  /** Empties a code field after the service refused the code, so the next one is typed afresh. */
  clear?: () => void;
}

export interface FormContextValue {
  /** The name of the field that made the last submit fail, marked aria-invalid. */
  invalidField: string | null;
  register(name: string, handle: { readonly current: FieldHandle }): () => void;
}

export const FormContext = createContext<FormContextValue | null>(null);

/** Registers a field with the ActionForm around it, if any; true while the form marks it invalid. */
export function useFormField(name: string, handle: FieldHandle): boolean {
  const form = useContext(FormContext);
  const latest = useRef(handle);
  latest.current = handle;
  useLayoutEffect(() => form?.register(name, latest), [form, name]);
  return form?.invalidField === name;
}
