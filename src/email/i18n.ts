/** The languages emails are written in; an organization without one set gets English. */
export const LANGUAGES = ['en', 'fr', 'de', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

export function toLanguage(value: string | null | undefined): Language {
  const l = (value ?? '').toLowerCase().slice(0, 2);
  return (LANGUAGES as readonly string[]).includes(l) ? (l as Language) : 'en';
}

type Strings = Record<string, string>;

/** `{name}` placeholders are filled by `t()`; the values are escaped by the HTML renderer, never here. */
const en: Strings = {
  greeting: 'Hello {name},',
  footer: 'Sent by Leadflow. Choose which emails you get: {settings}',
  footerPlain: 'Sent by Leadflow.',
  'invitation.subject': '{inviter} invited you to {org} on Leadflow',
  'invitation.body': '{inviter} invited you to join {org} on Leadflow as {role}.',
  'invitation.action': 'Accept the invitation',
  'invitation.expiry': 'This invitation expires on {expires}.',
  'reset.subject': 'Reset your Leadflow password',
  'reset.body': 'Someone (hopefully you) asked to reset the password of your Leadflow account.',
  'reset.action': 'Choose a new password',
  'reset.expiry':
    'The link works once, for 1 hour. Using it signs you out everywhere else. If you did not ask, ignore this email.',
  'assigned.subject': 'Lead assigned to you: {lead}',
  'assigned.body': '{by} assigned the lead {lead} to you.',
  'assigned.action': 'Open the lead',
  'digest.subject': 'Due today ({date}): {count} follow-ups and tasks',
  'digest.body': 'Here is what is due today, {date}:',
  'digest.followUp': 'Follow-up',
  'digest.task': 'Task',
  'digest.action': 'Open Leadflow',
  'webLead.subject': 'New web lead: {lead}',
  'webLead.body': 'A visitor sent the form "{form}": {lead}.',
  'webLead.action': 'Open the lead',
  'import.subject': 'Import finished: {file}',
  'import.body': 'The import of {file} has {state}: {created} created, {updated} updated, {failed} rejected.',
  'import.completed': 'finished',
  'import.failed': 'failed',
  'import.action': 'See the import',
  someone: 'Someone',
};

const fr: Strings = {
  greeting: 'Bonjour {name},',
  footer: 'Envoyé par Leadflow. Choisissez les emails que vous recevez : {settings}',
  footerPlain: 'Envoyé par Leadflow.',
  'invitation.subject': '{inviter} vous invite à rejoindre {org} sur Leadflow',
  'invitation.body': '{inviter} vous invite à rejoindre {org} sur Leadflow en tant que {role}.',
  'invitation.action': "Accepter l'invitation",
  'invitation.expiry': 'Cette invitation expire le {expires}.',
  'reset.subject': 'Réinitialisez votre mot de passe Leadflow',
  'reset.body':
    'Quelqu’un (vous, espérons-le) a demandé à réinitialiser le mot de passe de votre compte Leadflow.',
  'reset.action': 'Choisir un nouveau mot de passe',
  'reset.expiry':
    'Le lien ne sert qu’une fois, pendant 1 heure, et vous déconnecte partout ailleurs. Si vous n’avez rien demandé, ignorez cet email.',
  'assigned.subject': 'Lead qui vous est attribué : {lead}',
  'assigned.body': '{by} vous a attribué le lead {lead}.',
  'assigned.action': 'Ouvrir le lead',
  'digest.subject': 'À faire aujourd’hui ({date}) : {count} relances et tâches',
  'digest.body': 'Voici ce qui est prévu aujourd’hui, {date} :',
  'digest.followUp': 'Relance',
  'digest.task': 'Tâche',
  'digest.action': 'Ouvrir Leadflow',
  'webLead.subject': 'Nouveau lead web : {lead}',
  'webLead.body': 'Un visiteur a envoyé le formulaire « {form} » : {lead}.',
  'webLead.action': 'Ouvrir le lead',
  'import.subject': 'Import terminé : {file}',
  'import.body': 'L’import de {file} a {state} : {created} créés, {updated} mis à jour, {failed} rejetés.',
  'import.completed': 'abouti',
  'import.failed': 'échoué',
  'import.action': 'Voir l’import',
  someone: 'Quelqu’un',
};

const de: Strings = {
  greeting: 'Hallo {name},',
  footer: 'Gesendet von Leadflow. Wählen Sie, welche E-Mails Sie erhalten: {settings}',
  footerPlain: 'Gesendet von Leadflow.',
  'invitation.subject': '{inviter} hat Sie zu {org} auf Leadflow eingeladen',
  'invitation.body': '{inviter} hat Sie eingeladen, {org} auf Leadflow als {role} beizutreten.',
  'invitation.action': 'Einladung annehmen',
  'invitation.expiry': 'Diese Einladung läuft am {expires} ab.',
  'reset.subject': 'Leadflow-Passwort zurücksetzen',
  'reset.body':
    'Jemand (hoffentlich Sie) hat das Zurücksetzen des Passworts Ihres Leadflow-Kontos angefordert.',
  'reset.action': 'Neues Passwort wählen',
  'reset.expiry':
    'Der Link gilt einmal, 1 Stunde lang, und meldet Sie überall sonst ab. Wenn Sie nichts angefordert haben, ignorieren Sie diese E-Mail.',
  'assigned.subject': 'Ihnen zugewiesener Lead: {lead}',
  'assigned.body': '{by} hat Ihnen den Lead {lead} zugewiesen.',
  'assigned.action': 'Lead öffnen',
  'digest.subject': 'Heute fällig ({date}): {count} Nachfassaktionen und Aufgaben',
  'digest.body': 'Das ist heute, am {date}, fällig:',
  'digest.followUp': 'Nachfassen',
  'digest.task': 'Aufgabe',
  'digest.action': 'Leadflow öffnen',
  'webLead.subject': 'Neuer Web-Lead: {lead}',
  'webLead.body': 'Ein Besucher hat das Formular „{form}“ gesendet: {lead}.',
  'webLead.action': 'Lead öffnen',
  'import.subject': 'Import beendet: {file}',
  'import.body':
    'Der Import von {file} ist {state}: {created} angelegt, {updated} aktualisiert, {failed} abgelehnt.',
  'import.completed': 'abgeschlossen',
  'import.failed': 'fehlgeschlagen',
  'import.action': 'Import ansehen',
  someone: 'Jemand',
};

const es: Strings = {
  greeting: 'Hola {name}:',
  footer: 'Enviado por Leadflow. Elija qué correos recibe: {settings}',
  footerPlain: 'Enviado por Leadflow.',
  'invitation.subject': '{inviter} le invitó a {org} en Leadflow',
  'invitation.body': '{inviter} le invitó a unirse a {org} en Leadflow como {role}.',
  'invitation.action': 'Aceptar la invitación',
  'invitation.expiry': 'Esta invitación caduca el {expires}.',
  'reset.subject': 'Restablezca su contraseña de Leadflow',
  'reset.body': 'Alguien (esperamos que usted) pidió restablecer la contraseña de su cuenta de Leadflow.',
  'reset.action': 'Elegir una nueva contraseña',
  'reset.expiry':
    'El enlace sirve una vez, durante 1 hora, y cierra su sesión en todos los demás sitios. Si no lo pidió, ignore este correo.',
  'assigned.subject': 'Lead asignado a usted: {lead}',
  'assigned.body': '{by} le asignó el lead {lead}.',
  'assigned.action': 'Abrir el lead',
  'digest.subject': 'Para hoy ({date}): {count} seguimientos y tareas',
  'digest.body': 'Esto vence hoy, {date}:',
  'digest.followUp': 'Seguimiento',
  'digest.task': 'Tarea',
  'digest.action': 'Abrir Leadflow',
  'webLead.subject': 'Nuevo lead web: {lead}',
  'webLead.body': 'Un visitante envió el formulario «{form}»: {lead}.',
  'webLead.action': 'Abrir el lead',
  'import.subject': 'Importación terminada: {file}',
  'import.body':
    'La importación de {file} ha {state}: {created} creados, {updated} actualizados, {failed} rechazados.',
  'import.completed': 'terminado',
  'import.failed': 'fallado',
  'import.action': 'Ver la importación',
  someone: 'Alguien',
};

const TABLES: Record<Language, Strings> = { en, fr, de, es };

export function t(lang: Language, key: string, vars: Record<string, string | number> = {}): string {
  const s = TABLES[lang][key] ?? en[key] ?? key;
  return s.replace(/\{(\w+)\}/g, (_m, k: string) => (vars[k] !== undefined ? String(vars[k]) : `{${k}}`));
}

/** A date and time as people of that language write it, in the organization's time zone. */
export function formatDateTime(lang: Language, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'long', timeStyle: 'short', timeZone }).format(
    new Date(iso),
  );
}

export function formatTime(lang: Language, iso: string, timeZone: string): string {
  return new Intl.DateTimeFormat(lang, { timeStyle: 'short', timeZone }).format(new Date(iso));
}
