/** The privacy regimes a cell can be under; each sets DSR deadlines (and, in lib/config, the allowed regions). */
export const REGIMES = ['GDPR', 'CCPA'] as const;
export type Regime = (typeof REGIMES)[number];
