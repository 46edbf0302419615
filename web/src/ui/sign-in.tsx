/**
 * The shape of the three sign-in pages (staff, card and PIN, family helper). Signed in already
 * (a bookmark, the card's QR scanned again): who it is, never the form again. Otherwise a panel
 * with a heading, the fields, the last attempt's error and one big submit button.
 */
import { Show, type JSX } from "solid-js";
import { session } from "../session";
import { ErrorBox } from "./common";
import { Icon, type IconName } from "./icon";
import { AlreadySignedIn } from "./role-gate";

export function SignInPage(props: {
  /** The sign-in itself (`createAction`): run on submit, busy while it runs, its last error. */
  action: { run: () => Promise<unknown>; busy: () => boolean; error: () => unknown };
  /** The signed-in notice's words for signing in as someone else. */
  other: string;
  icon: IconName;
  title: string;
  /** Under the heading. */
  hint?: JSX.Element;
  submit: string;
  submitIcon: IconName;
  submitTestid?: string;
  /** Shown instead of the plain error box (the card's lock, say). */
  error?: JSX.Element;
  /** The fields. */
  children: JSX.Element;
  /** Under the form. */
  after?: JSX.Element;
}) {
  return (
    <Show when={!props.action.busy() ? session.me() : null} fallback={<Form />}>
      {(me) => <AlreadySignedIn me={me()} other={props.other} />}
    </Show>
  );

  function Form() {
    return (
      <section class="panel">
        <h1>
          <Icon name={props.icon} /> {props.title}
        </h1>
        {props.hint}
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void props.action.run();
          }}
        >
          {props.children}
          {props.error ?? <ErrorBox error={props.action.error()} />}
          <button class="big" type="submit" disabled={props.action.busy()} style={{ "margin-top": "16px" }} data-testid={props.submitTestid}>
            <Icon name={props.submitIcon} />
            {props.submit}
          </button>
        </form>
        {props.after}
      </section>
    );
  }
}
