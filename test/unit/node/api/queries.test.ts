// Found by review: extension queries with odd parameters.
import { describe, expect, it } from 'vitest'
import { openExtNode } from '../../../utils/extnode.js'

describe('extension query params', () => {
  it('answers odd params with 4xx, never 500', async () => {
    const { chain, app } = await openExtNode()
    const urls = [
      '/mint/condition',
      '/mint/condition/0',
      '/mint/condition/1',
      '/mint/condition/-1',
      '/mint/condition/1e3',
      '/mint/condition/99999999999999999999',
      '/mint/condition/9007199254740993',
      '/mint/condition/%20',
      '/mint/condition/0x1',
      '/auth/condition/00',
      '/auth/status/',
      '/auth/status/zz',
      '/auth/status/%00',
      '/auth/status/' + '0'.repeat(78),
      '/auth/status/' + '01'.repeat(39),
      '/auth/status/' + 'a'.repeat(20000),
      '/auth/status/' + '00' + '0'.repeat(76),
      '/auth/status/02' + 'ab'.repeat(38),
      '/auth/status/0145f4b165be6d16591f9533ea009f4de1d984fff4f7ae7b79563740abe02cbd56235f9b4e9640',
      '/auth/status/0145F4B165BE6D16591F9533EA009F4DE1D984FFF4F7AE7B79563740ABE02CBD56235F9B4E9640',
      '/auth/status/%E2%82%AC',
      '/auth/status/%ZZ',
      '/mint/condition/1/',
      '/mint//condition',
    ]
    for (const url of urls) {
      const r = await app.inject({ method: 'GET', url })
      // a 2xx for the well-formed addresses, a 4xx with {code, message} for the rest: never a 500
      expect(r.statusCode, url.slice(0, 60)).toBeLessThan(500)
      if (r.statusCode >= 400 && r.statusCode !== 414)
        expect(Object.keys(r.json())).toEqual(expect.arrayContaining(['code', 'message']))
    }
    expect((await app.inject({ method: 'GET', url: '/auth/status/' })).statusCode).toBe(400)
    await app.close()
    await chain.close()
  })
})
