'use client';

import { type ReactNode, useState } from 'react';
import { Button } from '@/components/ui/button';
import { Dialog } from '@/components/ui/dialog';
import { Field, Input } from '@/components/ui/field';
import { FormError } from '@/components/ui/states';

export interface ConfirmDialogProps {
  open: boolean;
  onCancel: () => void;
  /** Given what was typed when `typeToConfirm` is set (the server may check it too). */
  onConfirm: (typed: string) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  destructive?: boolean;
  pending?: boolean;
  /** When set, the user must type this text before the confirm button enables. */
  typeToConfirm?: string;
  /** An error from the attempted action, shown inside the dialog. */
  error?: string | null;
}

export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, onCancel, onConfirm, title, description, confirmLabel, destructive, pending, typeToConfirm, error } = props;
  const [typed, setTyped] = useState('');
  const armed = !typeToConfirm || typed === typeToConfirm;
  const close = () => {
    setTyped('');
    onCancel();
  };
  return (
    <Dialog
      open={open}
      onClose={close}
      title={title}
      // Names and emails can be long single words: they wrap rather than widen the dialog.
      description={description ? <div className="break-words">{description}</div> : undefined}
      footer={
        <>
          <Button variant="secondary" onClick={close}>
            Cancel
          </Button>
          <Button variant={destructive ? 'danger' : 'primary'} disabled={!armed} pending={pending} onClick={() => onConfirm(typed)}>
            {confirmLabel}
          </Button>
        </>
      }
    >
      {typeToConfirm && (
        <Field label={`Type ${typeToConfirm} to confirm`}>
          {(control) => <Input {...control} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />}
        </Field>
      )}
      <FormError message={error} />
    </Dialog>
  );
}
