-- rotate.lua — wrk script: GET the request paths listed in a file (one per
-- line), in turn, so every request is a different query.
--   wrk … -s scripts/bench/rotate.lua http://127.0.0.1:PORT -- PATHS_FILE
local paths = {}
local i = 0
local threads = 0

-- runs in the main Lua state, once per thread: number the threads
function setup(thread)
	thread:set("id", threads)
	threads = threads + 1
end

function init(args)
	for line in io.lines(args[1]) do
		if #line > 0 then
			paths[#paths + 1] = line
		end
	end
	-- threads start at different places of the list
	i = (tonumber(id) or 0) * 97 % #paths
end

function request()
	i = i % #paths + 1
	return wrk.format("GET", paths[i])
end
