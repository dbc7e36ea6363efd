import type { ComponentType } from 'react';
import { Link } from '../router';
import { useSession } from '../session';
import { StatusSettings } from '../settings/Statuses';
import { ReasonSettings } from '../settings/Reasons';
import { CustomFieldSettings } from '../settings/CustomFields';
import { CatalogSettings } from '../settings/Catalogs';
import { UserSettings } from '../settings/Users';
import { ApiKeySettings } from '../settings/ApiKeys';
import { WebToLeadSettings } from '../settings/WebToLead';
import { NotificationSettings } from '../settings/Notifications';
import { ProfileSettings } from '../settings/Profile';
import { SecuritySettings } from '../settings/Security';
import { AssignmentRuleSettings } from '../settings/AssignmentRules';
import { WebhookSettings } from '../settings/Webhooks';

type Role = 'owner' | 'admin' | 'manager' | 'agent' | 'viewer';
const ADMINS: Role[] = ['owner', 'admin'];
const MANAGERS: Role[] = ['owner', 'admin', 'manager'];
const EVERYONE: Role[] = ['owner', 'admin', 'manager', 'agent', 'viewer'];

// Each tab shows only to the roles that can change what it holds (src/access/roles.ts): settings:write for the
// workspace, users:manage for users and teams; everyone has their profile and notifications.
const TABS: Array<{ key: string; label: string; C: ComponentType; roles: Role[] }> = [
  { key: 'statuses', label: 'Statuses', C: StatusSettings, roles: ADMINS },
  { key: 'reasons', label: 'Reasons', C: ReasonSettings, roles: ADMINS },
  { key: 'custom-fields', label: 'Custom fields', C: CustomFieldSettings, roles: ADMINS },
  { key: 'catalogs', label: 'Catalogs', C: CatalogSettings, roles: ADMINS },
  { key: 'users', label: 'Users & teams', C: UserSettings, roles: MANAGERS },
  { key: 'api-keys', label: 'API keys', C: ApiKeySettings, roles: ADMINS },
  { key: 'web-to-lead', label: 'Web-to-lead', C: WebToLeadSettings, roles: ADMINS },
  { key: 'assignment', label: 'Assignment', C: AssignmentRuleSettings, roles: ADMINS },
  { key: 'webhooks', label: 'Webhooks', C: WebhookSettings, roles: ADMINS },
  { key: 'profile', label: 'Profile', C: ProfileSettings, roles: EVERYONE },
  { key: 'security', label: 'Security', C: SecuritySettings, roles: EVERYONE },
  { key: 'notifications', label: 'Notifications', C: NotificationSettings, roles: EVERYONE },
];

export function SettingsPage({ tab }: { tab: string }) {
  const { me } = useSession();
  const tabs = TABS.filter((t) => t.roles.includes((me?.role ?? 'viewer') as Role));
  const current = tabs.find((t) => t.key === tab) ?? tabs[0];
  return (
    <section className="page settings-page" aria-labelledby="settings-h">
      <div className="page-head">
        <h1 id="settings-h">Settings</h1>
      </div>
      <div className="settings">
        <nav aria-label="Settings sections" className="subnav">
          {tabs.map((t) => (
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
