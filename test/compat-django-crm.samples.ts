/**
 * The requests of seed 004 (../shared/seeds/004_db7f1ce2dbc9273e.txt) as the document writes them. The
 * placeholders ("contact1-uuid", "user1-uuid", "sales-team-uuid", "lead-uuid") are replaced by the test with
 * ids of its own organization; every other value is the document's.
 */
export const CREATE_FROM_SITE = {
  first_name: 'John',
  last_name: 'Prospect',
  email: 'john@prospect.com',
  phone: '+1234567890',
  account_name: 'Prospect Company',
  source: 'Website Form',
  title: 'Interested in Product Demo',
};

export const LIST_URL = '/api/leads/?status=assigned&source=website&limit=5';

export const CREATE_LEAD = {
  title: 'Enterprise Software Inquiry',
  first_name: 'Robert',
  last_name: 'Johnson',
  email: 'robert@bigcorp.com',
  phone: '+1555987654',
  status: 'assigned',
  source: 'Cold Call',
  account_name: 'Big Corp Industries',
  website: 'https://bigcorp.com',
  description: 'Interested in enterprise solution for 500+ users',
  opportunity_amount: '75000.00',
  contacts: ['contact1-uuid'],
  assigned_to: ['user1-uuid'],
  teams: ['sales-team-uuid'],
  tags: ['enterprise', 'qualified'],
  address_line: '789 Corporate Blvd',
  city: 'Dallas',
  state: 'TX',
  postcode: '75201',
  country: 'USA',
};

export const UPDATE_LEAD = {
  status: 'in process',
  opportunity_amount: '60000.00',
  description: 'Updated after discovery call',
};

export const ADD_COMMENT = { comment: 'Discovery call scheduled for next Tuesday' };

export const CREATE_COMPANY = {
  name: 'New Tech Startup',
  industry: 'Software',
  website: 'https://newtechstartup.com',
};

/** The keys of the document's answers. */
export const LIST_KEYS = [
  'open_leads',
  'closed_leads',
  'open_leads_count',
  'closed_leads_count',
  'contacts',
  'users',
  'source_list',
  'tags',
  'status',
];
export const LIST_LEAD_KEYS = [
  'id',
  'title',
  'first_name',
  'last_name',
  'email',
  'phone',
  'status',
  'source',
  'account_name',
  'opportunity_amount',
  'created_on',
  'assigned_to',
  'tags',
];
export const DETAIL_KEYS = [
  'lead_obj',
  'address_obj',
  'assigned_to',
  'teams',
  'comments',
  'attachments',
  'contacts',
  'users_mention',
  'tags',
];
export const LEAD_OBJ_KEYS = [
  'id',
  'title',
  'first_name',
  'last_name',
  'email',
  'phone',
  'status',
  'source',
  'account_name',
  'website',
  'description',
  'opportunity_amount',
  'address_line',
  'city',
  'state',
  'postcode',
  'country',
  'created_on',
  'created_by',
];
