-- wrk script: adds the header in the environment variable BENCH_HEADER ("Name: value") to every
-- request, e.g. BENCH_HEADER="Cookie: steward_session=..." or "Authorization: Bearer ...".
local header = os.getenv("BENCH_HEADER")
if header and header ~= "" then
  local name, value = header:match("^([^:]+):%s*(.*)$")
  if not name then
    error("BENCH_HEADER must look like 'Name: value'")
  end
  wrk.headers[name] = value
end
