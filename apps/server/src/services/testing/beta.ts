// Test-only store-group service (WREN_TEST_SERVICES=1).
import { fixtureService } from './fixture.js'
export const createService = () => fixtureService('beta')
