// Speakers by name: names given at upload (the provider's speaker identification), suggestions from the directory of
// named voices on the transcript page, and that directory on the account page.
import type { Catalogue } from "../catalogue";

export const en = {
  voices: {
    names: "Who speaks (optional, comma-separated)",
    namesHint: "The speakers are named with these when the transcript is ready; you can still change the names.",
    asRoles: "These are roles (e.g. Interviewer, Guest)",
    suggestion: "{{label}} sounds like {{name}}.",
    use: "Name {{label}} {{name}}",
    title: "Named voices",
    intro: "When you name a speaker, their voice is kept so later recordings can suggest the name. "
      + "A voice goes when you delete it here, rename the speaker, or delete the recordings it was named in.",
    none: "No named voices yet.",
    recordings_one: "named in {{count}} recording",
    recordings_other: "named in {{count}} recordings",
    forget: "Forget {{name}}",
    forgotten: "{{name}} forgotten.",
  },
  errors: {
    voice_not_found: "This voice is already forgotten.",
  },
} satisfies Catalogue;

export const ru = {
  voices: {
    names: "Кто говорит (необязательно, через запятую)",
    namesHint: "Когда расшифровка будет готова, говорящие получат эти имена; их можно будет изменить.",
    asRoles: "Это роли (например, Интервьюер, Гость)",
    suggestion: "{{label}} звучит как {{name}}.",
    use: "Назвать {{label}}: {{name}}",
    title: "Сохранённые голоса",
    intro: "Когда вы называете говорящего, его голос сохраняется, чтобы в следующих записях предложить имя. "
      + "Голос удаляется, когда вы удаляете его здесь, переименовываете говорящего или удаляете записи, где его назвали.",
    none: "Сохранённых голосов пока нет.",
    recordings_one: "назван в {{count}} записи",
    recordings_few: "назван в {{count}} записях",
    recordings_many: "назван в {{count}} записях",
    recordings_other: "назван в {{count}} записи",
    forget: "Забыть голос: {{name}}",
    forgotten: "Голос «{{name}}» удалён.",
  },
  errors: {
    voice_not_found: "Этот голос уже удалён.",
  },
} satisfies Catalogue;
