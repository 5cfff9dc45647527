// The user's folders: pick one to filter the job list (and, by default, the search), make one, rename or delete the
// one shown. Deleting a folder that holds recordings asks what happens to them (keep: moved out; or delete them too);
// the server refuses the delete without that answer anyway (409 folder_not_empty), and then the question is asked.
import { useEffect, useRef, useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { api, ApiError } from "../api/client";
import type { Folder } from "../api/types";
import { errorText } from "../i18n/errors";

export function FolderBar({ folders, max, selected, onSelect, onChanged }: {
  folders: Folder[]; max: number | null; selected: string | null; onSelect: (id: string | null) => void;
  onChanged: () => Promise<void> | void;
}) {
  const { t } = useTranslation();
  const [name, setName] = useState("");
  const [renaming, setRenaming] = useState<string | null>(null);
  const [asking, setAsking] = useState<Folder | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState("");
  const current = folders.find((f) => f.id === selected) ?? null;

  async function attempt(fn: () => Promise<unknown>): Promise<boolean> {
    setBusy(true);
    try { await fn(); setError(""); return true; }
    catch (err) { setError(errorText(err)); return false; }
    finally { setBusy(false); }
  }

  async function create(e: FormEvent) {
    e.preventDefault();
    if (!name.trim()) return;
    let made: Folder | null = null;
    if (await attempt(async () => { made = await api.createFolder(name); })) {
      setName("");
      await onChanged();
      if (made) onSelect((made as Folder).id);
    }
  }

  async function rename(folder: Folder, to: string) {
    if (await attempt(() => api.renameFolder(folder.id, to))) { setRenaming(null); await onChanged(); }
  }

  async function remove(folder: Folder, jobs?: "keep" | "delete") {
    if (!jobs && folder.jobs === 0 && !window.confirm(t("organise.confirmEmpty", { name: folder.name }))) return;
    setBusy(true);
    try {
      await api.deleteFolder(folder.id, jobs);
      setAsking(null); setError("");
      onSelect(null);
      await onChanged();
    } catch (err) {
      // Filled meanwhile (another tab moved a recording in): ask, with the count as it is now.
      if (err instanceof ApiError && err.code === "folder_not_empty") { await onChanged(); setAsking(folder); }
      else setError(errorText(err));
    } finally { setBusy(false); }
  }

  return (
    <section className="card folders" aria-labelledby="folders-title">
      <h2 id="folders-title">{t("organise.folders")}</h2>
      <div className="folder-list" role="group" aria-label={t("organise.folders")}>
        <button className={selected === null ? "" : "secondary"} aria-pressed={selected === null}
          onClick={() => onSelect(null)}>{t("organise.all")}</button>
        {folders.map((f) => (
          <button key={f.id} className={selected === f.id ? "" : "secondary"} aria-pressed={selected === f.id}
            onClick={() => onSelect(f.id)} data-testid="folder">
            {t("organise.folderCount", { name: f.name, count: f.jobs })}</button>
        ))}
      </div>
      {current && <div className="folder-actions">
        <p className="hint" aria-live="polite">{t("organise.inFolder", { name: current.name })}</p>
        {renaming === current.id
          ? <RenameForm folder={current} busy={busy} onSave={(to) => void rename(current, to)}
              onCancel={() => setRenaming(null)} />
          : <>
              <button className="link" onClick={() => setRenaming(current.id)}
                aria-label={t("organise.renameLabel", { name: current.name })}>{t("organise.rename")}</button>
              <button className="danger" disabled={busy}
                onClick={() => (current.jobs ? setAsking(current) : void remove(current))}
                aria-label={t("organise.deleteLabel", { name: current.name })}>{t("organise.delete")}</button></>}
      </div>}
      {asking && <DeleteQuestion folder={folders.find((f) => f.id === asking.id) ?? asking} busy={busy}
        onAnswer={(jobs) => void remove(asking, jobs)} onCancel={() => setAsking(null)} />}
      {max !== null && folders.length >= max
        ? <p className="hint">{t("organise.limit", { max })}</p>
        : <form className="new-folder" onSubmit={(e) => void create(e)}>
            <label>{t("organise.newFolder")}
              <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)}
                placeholder={t("organise.folderName")} /></label>
            <button type="submit" disabled={busy}>{t("organise.create")}</button>
          </form>}
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function RenameForm({ folder, busy, onSave, onCancel }: { folder: Folder; busy: boolean; onSave: (name: string) => void;
  onCancel: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(folder.name);
  return (
    <form className="rename" onSubmit={(e) => { e.preventDefault(); if (name.trim()) onSave(name); }}>
      <label>{t("organise.newName", { name: folder.name })}
        <input value={name} maxLength={80} onChange={(e) => setName(e.target.value)} autoFocus /></label>
      <button type="submit" disabled={busy}>{t("organise.save")}</button>
      <button type="button" className="link" onClick={onCancel}>{t("organise.cancelEdit")}</button>
    </form>
  );
}

// The question a non-empty folder's deletion asks: a modal dialog, focus on its safest answer, Escape cancels.
function DeleteQuestion({ folder, busy, onAnswer, onCancel }: { folder: Folder; busy: boolean;
  onAnswer: (jobs: "keep" | "delete") => void; onCancel: () => void }) {
  const { t } = useTranslation();
  const box = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = box.current;
    if (dialog && !dialog.open) dialog.showModal?.();
    return () => dialog?.close?.();
  }, []);
  return (
    <dialog ref={box} className="question" aria-labelledby="delete-folder-title" aria-describedby="delete-folder-text"
      onCancel={(e) => { e.preventDefault(); onCancel(); }}>
      <h3 id="delete-folder-title">{t("organise.askTitle", { name: folder.name })}</h3>
      <p id="delete-folder-text">{t("organise.ask", { name: folder.name, count: folder.jobs })}</p>
      <div className="answers">
        <button autoFocus disabled={busy} onClick={() => onAnswer("keep")}>{t("organise.keepJobs")}</button>
        <button className="danger" disabled={busy} onClick={() => onAnswer("delete")}>{t("organise.deleteJobs")}</button>
        <button className="link" onClick={onCancel}>{t("organise.cancelEdit")}</button>
      </div>
      {busy && <p className="hint" role="status">{t("organise.deleting")}</p>}
    </dialog>
  );
}
