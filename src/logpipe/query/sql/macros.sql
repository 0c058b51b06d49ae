-- _file_run: the run id of a log file's records that name no communicator with a commId
-- (see build/nccl_placed.sql). Defined for the build step and for every connection.
CREATE MACRO _file_run(source, path, generation) AS
    source || ':' || path || CASE WHEN generation > 0 THEN '#' || CAST(generation AS VARCHAR) ELSE '' END;
