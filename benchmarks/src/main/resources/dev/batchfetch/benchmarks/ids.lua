-- wrk asks for /id/1, /id/2, ... (each of its threads counts on its own), so that the ceiling
-- fetches the same shape of URL as the clients rather than one cached path.
local n = 0
request = function()
  n = n + 1
  return wrk.format(nil, "/id/" .. n)
end
