import { declareOwnedFields, type OwnedFieldSpec } from '../shared/owned-fields.js';

/**
 * Seed 004's attributes with no core column, owned by this surface (namespace `djangocrm`): the country as the
 * client wrote it when that is not the alpha-2 code the core keeps ("USA" for US).
 */
export const DJANGO_FIELDS: OwnedFieldSpec[] = [
  { key: 'country', type: 'string', description: 'country as written, e.g. "USA" (the core keeps "US")' },
];
export const COUNTRY_FIELD = declareOwnedFields('djangocrm', DJANGO_FIELDS).stored('country');
