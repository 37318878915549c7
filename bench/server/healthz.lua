-- GET /healthz: no key, no body to decode, a small JSON answer; the HTTP
-- ceiling of the server (the same gate, router and runtime) on this machine.
local req = wrk.format("GET", "/healthz")
function request()
  return req
end
