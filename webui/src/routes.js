// The pages, in nav order. Add a page: write pages/<name>.jsx exporting a component, then add a line here.
// `needs`: a permission the nav item needs (the API still decides; this only hides what would be refused).
import { GeneratePage } from './pages/generate.jsx';
import { HistoryPage } from './pages/history.jsx';
import { ModelsPage } from './pages/models.jsx';
import { SettingsPage } from './pages/settings.jsx';
import { TrainingsPage } from './pages/trainings.jsx';
import { ExtrasPage } from './pages/extras.jsx';
import { UsersPage } from './pages/admin-users.jsx';
import { RolesPage } from './pages/admin-roles.jsx';
import { AuditPage } from './pages/admin-audit.jsx';
import { PoolsPage } from './pages/admin-pools.jsx';
import { UsagePage } from './pages/admin-usage.jsx';
import { AdminModelsPage } from './pages/admin-models.jsx';

export const ROUTES = [
  { path: 'generate', title: 'Generate', page: GeneratePage },
  { path: 'history', title: 'History', page: HistoryPage },
  { path: 'extras', title: 'Extras', page: ExtrasPage },
  { path: 'models', title: 'Models', page: ModelsPage, needs: 'models:read' },
  { path: 'trainings', title: 'Trainings', page: TrainingsPage, needs: 'trainings:create' },
  { path: 'settings', title: 'Settings', page: SettingsPage },
  // the admin portal
  { path: 'admin/users', title: 'Users', page: UsersPage, needs: 'users:manage' },
  { path: 'admin/roles', title: 'Roles', page: RolesPage, needs: 'roles:manage' },
  { path: 'admin/audit', title: 'Audit log', page: AuditPage, needs: 'audit:read' },
  { path: 'admin/models', title: 'Tenant models', page: AdminModelsPage, needs: 'users:manage' },
  { path: 'admin/usage', title: 'Usage', page: UsagePage, needs: 'jobs:read:any' },
  { path: 'admin/pools', title: 'GPU pools', page: PoolsPage, needs: 'pools:manage' },
];
export const HOME = 'generate';
