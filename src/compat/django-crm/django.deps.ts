import type { AuthContext } from '../../access/roles.js';
import type { TxOptions } from '../../db/unit-of-work.js';
import type { LeadService } from '../../leads/lead.service.js';
import type { StatusService } from '../../pipeline/status.service.js';
import type { ConversionService } from '../../accounts/conversion.service.js';
import type { CompanyService } from '../../accounts/company.service.js';
import type { ContactService } from '../../accounts/contact.service.js';
import type { UserService } from '../../access/user.service.js';
import type { TeamService } from '../../access/team.service.js';
import type { TaskService } from '../../activities/task.service.js';
import type { ActivityByIdService } from '../../activities/activity-by-id.service.js';
import type { AttachmentService } from '../../activities/attachment.service.js';
import type { WebToLeadService } from '../../access/web-to-lead.service.js';
import type { ImportService } from '../../imports/import.service.js';

/**
 * The core services seed 004 translates onto (wired in src/wiring/surfaces.ts): only the functions it calls.
 * Every write takes `opts` (`{ tx }`) so one request's writes share `transaction`.
 */
export interface DjangoDeps {
  transaction<T>(fn: (opts: TxOptions) => Promise<T>): Promise<T>;
  leads: Pick<LeadService, 'create' | 'get' | 'update' | 'remove' | 'list'>;
  statuses: Pick<StatusService, 'listStatuses'>;
  conversion: Pick<ConversionService, 'convert'>;
  companies: Pick<CompanyService, 'create' | 'get' | 'update' | 'remove' | 'list'>;
  contacts: Pick<ContactService, 'list'>;
  users: Pick<UserService, 'list'>;
  teams: Pick<TeamService, 'list'>;
  comments: Pick<TaskService, 'listComments' | 'addComment'> &
    Pick<ActivityByIdService, 'getComment' | 'updateComment' | 'deleteComment' | 'attachmentLead'>;
  attachments: Pick<AttachmentService, 'listAttachments' | 'addAttachment' | 'deleteAttachment' | 'maxBytes'>;
  webToLead: Pick<WebToLeadService, 'resolveKey' | 'submit'>;
  imports: Pick<ImportService, 'upload' | 'run' | 'get' | 'errorList'>;
  /** The tags of the leads this caller may see, with their counts. */
  tagCounts(auth: AuthContext): Promise<Array<{ tag: string; count: number }>>;
  /** Largest file `POST /api/leads/upload/` imports while the request waits; larger ones answer 202. */
  uploadWaitBytes: number;
  importMaxBytes: number;
}
