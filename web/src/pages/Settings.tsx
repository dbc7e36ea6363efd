import { Link } from '../router';
import { StatusSettings } from '../settings/Statuses';
import { ReasonSettings } from '../settings/Reasons';
import { CustomFieldSettings } from '../settings/CustomFields';
import { UserSettings } from '../settings/Users';
import { ApiKeySettings } from '../settings/ApiKeys';
import { WebToLeadSettings } from '../settings/WebToLead';
import { NotificationSettings } from '../settings/Notifications';

const TABS = [
  { key: 'statuses', label: 'Statuses', C: StatusSettings },
  { key: 'reasons', label: 'Reasons', C: ReasonSettings },
  { key: 'custom-fields', label: 'Custom fields', C: CustomFieldSettings },
  { key: 'users', label: 'Users & teams', C: UserSettings },
  { key: 'api-keys', label: 'API keys', C: ApiKeySettings },
  { key: 'web-to-lead', label: 'Web-to-lead', C: WebToLeadSettings },
  { key: 'notifications', label: 'Notifications', C: NotificationSettings },
];

export function SettingsPage({ tab }: { tab: string }) {
  const current = TABS.find((t) => t.key === tab) ?? TABS[0];
  return (
    <section className="page settings-page" aria-labelledby="settings-h">
      <div className="page-head">
        <h1 id="settings-h">Settings</h1>
      </div>
      <div className="settings">
        <nav aria-label="Settings sections" className="subnav">
          {TABS.map((t) => (
            <Link
              key={t.key}
              to={`/settings/${t.key}`}
              aria-current={t.key === current.key ? 'page' : undefined}
            >
              {t.label}
            </Link>
          ))}
        </nav>
        <div className="settings-body">
          <current.C />
        </div>
      </div>
    </section>
  );
}
