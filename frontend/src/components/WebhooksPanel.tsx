// Outgoing webhooks on the account page: register an https endpoint (its signing secret is shown once), watch each
// delivery's status (refreshed every few seconds while the page is open), redeliver one, delete an endpoint.
import { useEffect, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api } from "../api/client";
import type { WebhookDelivery, WebhookEndpoint, WebhookEvent } from "../api/types";
import { errorText } from "../i18n/errors";
import { language } from "../i18n/i18n";
import { when } from "../lib/format";

const EVENTS: WebhookEvent[] = ["job.completed", "job.failed"];
const REFRESH_MS = 3000;

export function WebhooksPanel() {
  const { t } = useTranslation();
  const [endpoints, setEndpoints] = useState<WebhookEndpoint[]>([]);
  const [url, setUrl] = useState("");
  const [events, setEvents] = useState<WebhookEvent[]>(EVENTS);
  const [secret, setSecret] = useState("");
  const [error, setError] = useState("");

  useEffect(() => { api.listWebhooks().then(setEndpoints, (err) => setError(errorText(err))); }, []);

  async function add(e: FormEvent) {
    e.preventDefault();
    setError("");
    try {
      const created = await api.registerWebhook(url.trim(), events);
      setSecret(created.secret ?? "");
      setUrl("");
      setEndpoints((list) => [...list, created]);
    } catch (err) {
      setError(errorText(err));
    }
  }

  const toggle = (event: WebhookEvent, on: boolean) =>
    setEvents((list) => (on ? [...list, event] : list.filter((e) => e !== event)));

  return (
    <section className="card webhooks" aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t("hooks.title")}</h2>
      <p className="hint">{t("hooks.intro")}</p>
      <form onSubmit={add}>
        <label>{t("hooks.url")}<input type="url" required maxLength={2048} value={url}
          onChange={(e) => setUrl(e.target.value)} /></label>
        <fieldset>
          <legend>{t("hooks.events")}</legend>
          <label className="inline"><input type="checkbox" checked={events.includes("job.completed")}
            onChange={(e) => toggle("job.completed", e.target.checked)} /> {t("hooks.eventCompleted")}</label>
          <label className="inline"><input type="checkbox" checked={events.includes("job.failed")}
            onChange={(e) => toggle("job.failed", e.target.checked)} /> {t("hooks.eventFailed")}</label>
        </fieldset>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit" disabled={!events.length}>{t("hooks.add")}</button>
      </form>
      {secret && (
        <p className="notice" role="status">{t("hooks.secretOnce")} <code className="secret">{secret}</code></p>
      )}
      {endpoints.length === 0 && <p className="hint">{t("hooks.none")}</p>}
      {endpoints.map((endpoint) => (
        <Endpoint key={endpoint.id} endpoint={endpoint}
          onDeleted={() => setEndpoints((list) => list.filter((e) => e.id !== endpoint.id))} />
      ))}
    </section>
  );
}

function Endpoint({ endpoint, onDeleted }: { endpoint: WebhookEndpoint; onDeleted: () => void }) {
  const { t } = useTranslation();
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([]);
  const [error, setError] = useState("");

  async function refresh() {
    try {
      setDeliveries(await api.webhookDeliveries(endpoint.id));
    } catch (err) {
      setError(errorText(err));
    }
  }

  useEffect(() => {
    void refresh();
    const timer = window.setInterval(() => void refresh(), REFRESH_MS);
    return () => window.clearInterval(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [endpoint.id]);

  async function remove() {
    if (!window.confirm(t("hooks.deleteConfirm"))) return;
    try {
      await api.deleteWebhook(endpoint.id);
      onDeleted();
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function redeliver(id: string) {
    try {
      const updated = await api.redeliverWebhook(id);
      setDeliveries((list) => list.map((d) => (d.id === id ? updated : d)));
    } catch (err) {
      setError(errorText(err));
    }
  }

  const time = (iso: string) => new Intl.DateTimeFormat(language(), { timeStyle: "medium" }).format(new Date(iso));
  return (
    <article className="webhook" aria-label={endpoint.url}>
      <h3><code>{endpoint.url}</code> <button type="button" className="danger" onClick={remove}>{t("hooks.delete")}</button></h3>
      {error && <p className="error" role="alert">{error}</p>}
      {deliveries.length === 0 ? <p className="hint">{t("hooks.noDeliveries")}</p> : (
        <table>
          <thead>
            <tr><th>{t("hooks.event")}</th><th>{t("hooks.status")}</th><th>{t("hooks.attemptsTitle")}</th>
              <th>{t("hooks.answer")}</th><th>{t("hooks.created")}</th><th /></tr>
          </thead>
          <tbody>
            {deliveries.map((d) => (
              <tr key={d.id} data-delivery={d.id} data-status={d.status}>
                <td><code>{d.event_type}</code></td>
                <td>{t(`hooks.state.${d.status}`)}
                  {d.next_attempt_at && <span className="hint"> {t("hooks.nextAt", { time: time(d.next_attempt_at) })}</span>}</td>
                <td>{t("hooks.attempts", { count: d.attempts })}</td>
                <td>{d.last_status_code ?? d.last_error ?? "—"}</td>
                <td>{when(d.created_at)}</td>
                <td><button type="button" className="link" onClick={() => void redeliver(d.id)}>{t("hooks.redeliver")}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </article>
  );
}
