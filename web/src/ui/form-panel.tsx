/**
 * A form in a panel, the shape of every "add / change" form on the staff screens: a heading,
 * the fields, the error of the last attempt, and the submit button (with room for more).
 */
import { Show, type JSX } from "solid-js";
import { ErrorBox } from "./common";
import { Icon, type IconName } from "./icon";

/** A labelled control. */
export function Field(props: { id: string; label: string; children: JSX.Element }) {
  return (
    <div>
      <label for={props.id}>{props.label}</label>
      {props.children}
    </div>
  );
}

export function FormPanel(props: {
  title: string;
  icon?: IconName;
  /** Words under the heading. */
  hint?: string;
  submit: string;
  submitIcon?: IconName;
  submitTestid?: string;
  busy?: boolean;
  disabled?: boolean;
  error?: unknown;
  onSubmit: (form: HTMLFormElement) => void;
  /** Buttons beside the submit button (cancel, say). */
  actions?: JSX.Element;
  class?: string;
  children: JSX.Element;
}) {
  return (
    <form
      class={`panel ${props.class ?? ""}`}
      onSubmit={(e) => {
        e.preventDefault();
        props.onSubmit(e.currentTarget);
      }}
    >
      <h2 style={{ "margin-top": 0 }}>
        <Show when={props.icon}>{(icon) => <Icon name={icon()} />}</Show> {props.title}
      </h2>
      <Show when={props.hint}>
        <p class="muted small">{props.hint}</p>
      </Show>
      {props.children}
      <ErrorBox error={props.error} />
      <div class="row" style={{ "margin-top": "12px" }}>
        <button type="submit" style={{ flex: "none" }} disabled={props.busy || props.disabled} data-testid={props.submitTestid}>
          <Icon name={props.submitIcon ?? "check"} /> {props.submit}
        </button>
        {props.actions}
      </div>
    </form>
  );
}
