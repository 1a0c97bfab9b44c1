// Shipping quotes.
const ZONE_RATES = { eu: 900, us: 1400 };

export function zoneRate(zone) {
  if (!(zone in ZONE_RATES)) {
    throw new RangeError(`Unknown shipping zone: ${zone}`);
  }
  return ZONE_RATES[zone];
}

export function quote(zone, weightKg) {
  return Math.round((zoneRate(zone) * Math.max(weightKg, 1)) / 10);
}
