import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { announce } from '../ui/announce.js';
import { downloadTextFile } from '../ui/download.js';
import { useUniqueId } from '../ui/hooks.js';
import { Icon, icons } from '../ui/icon.js';

export interface BackupCodesPanelProps {
  heading: ComponentChildren;
  codes: string[];
  file: { filename: string; content: string };
  doneLabel: string;
  onDone: () => void;
}

/**
 * The backup codes, shown once: download them as the service's .txt, tick "I saved them", continue.
 * Used after linking and after generating a new set.
 */
export function BackupCodesPanel({ heading, codes, file, doneLabel, onDone }: BackupCodesPanelProps) {
  const savedId = useUniqueId('saved');
  const [saved, setSaved] = useState(false);
  const download = () => {
    downloadTextFile(file.filename, file.content);
    announce(`Downloading ${file.filename}`);
  };
  return (
    <section class="stack backup-codes">
      {heading}
      <p>
        If you lose your phone, each of these codes signs you in once instead of a code from the app. This is the only time they are shown:
        download them and keep the file somewhere safe.
      </p>
      <ol class="codes" aria-label="Backup codes">
        {codes.map((code) => (
          <li key={code}>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <div class="actions">
        <button type="button" class="secondary" onClick={download}>
          <Icon paths={icons.download} />
          Download backup codes (.txt)
        </button>
      </div>
      <div class="checkbox">
        <input type="checkbox" id={savedId} checked={saved} onChange={(event) => setSaved(event.currentTarget.checked)} />
        <label for={savedId}>I have saved my backup codes somewhere safe</label>
      </div>
      <div class="actions">
        <button type="button" class="primary" disabled={!saved} onClick={onDone}>
          {doneLabel}
        </button>
      </div>
    </section>
  );
}
