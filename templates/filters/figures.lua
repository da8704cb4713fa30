-- Puts the project's own figures into pandoc's media bag, so that pandoc can keep running with
-- --sandbox (which forbids reading any file not named on the command line). Only plain file
-- names ("timeline-belarus.svg") inside the folder given as `figures-dir` metadata on the command
-- line are read; data cannot create images at all (templates escape every value).
-- DOCX gets the 200 dpi PNG twin of each SVG; HTML gets the SVG inline as a data URI; Typst keeps
-- the file name (the PDF step copies the SVG into its build root) and gets the text alternative.
-- HTML tables also get scope="col" on their header cells (see `table` below).
local dir = nil

local function meta(m)
  if m["figures-dir"] then dir = pandoc.utils.stringify(m["figures-dir"]) end
end

-- A Typst string literal: backslashes and quotes escaped (figure_attrs drops them already).
local function typst_string(text)
  return '"' .. text:gsub("\\", "\\\\"):gsub('"', '\\"') .. '"'
end

local function image(img)
  local name = img.src
  if FORMAT == "typst" then
    -- Typst keeps the file name; the text alternative goes to the PDF's figure (its /Alt), which
    -- PDF/UA requires and screen readers read (pandoc's Typst writer drops it).
    -- (pandoc's reader moves the template's alt attribute into the image's description)
    local alt = img.attributes.alt or pandoc.utils.stringify(img.caption)
    if alt == "" or not name:match("^[a-z0-9-]+%.svg$") then return nil end
    return pandoc.RawInline("typst", "#image(" .. typst_string(name) .. ", alt: " .. typst_string(alt) .. ")")
  end
  if not dir or not name:match("^[a-z0-9-]+%.svg$") then
    error("figure '" .. name .. "' is not a figure of this project")
  end
  local file, mime = name, "image/svg+xml"
  if FORMAT == "docx" then file, mime = name:gsub("%.svg$", ".png"), "image/png" end
  local fh = io.open(dir .. "/" .. file, "rb")
  if not fh then error("figure not found: " .. dir .. "/" .. file) end
  local data = fh:read("a")
  fh:close()
  if FORMAT:match("^html") then
    img.src = pandoc.mediabag.make_data_uri(mime, data)
  else
    pandoc.mediabag.insert(file, mime, data)
    img.src = file
    -- The picture's description in Word and LibreOffice: the figure's text alternative (the
    -- `alt` attribute the templates write, saying what the figure shows), not its caption.
    if img.attributes.alt then img.caption = {pandoc.Str(img.attributes.alt)} end
  end
  return img
end

-- Header cells of a table name what they head (HTML: scope="col"), for screen readers.
local function table(tbl)
  if not FORMAT:match("^html") then return nil end
  for _, row in ipairs(tbl.head.rows) do
    for _, cell in ipairs(row.cells) do cell.attributes.scope = "col" end
  end
  return tbl
end

-- Typst: a count table, one of COUNTS or more numeric (right-aligned) columns, has every column
-- sized by its content (auto) instead of by the template's separator dashes, so that a numeric
-- column is as narrow as its head and numbers and the text columns (the row labels, the sources)
-- share the rest of the line: with the dashes' shares the review's sources column was a few
-- references wide beside half-empty state columns. Beyond WIDE numeric columns (a dozen states and
-- more) the heads set across would still run into one another: they are turned upright
-- (turned-head, templates/typst/document.typ). One rule for every such table, in every document.
local COUNTS, WIDE = 3, 8

local function turn_head(cell)
  local inlines = pandoc.utils.blocks_to_inlines(cell.contents)
  inlines:insert(1, pandoc.RawInline("typst", "#turned-head["))
  inlines:insert(pandoc.RawInline("typst", "]"))
  cell.contents = { pandoc.Plain(inlines) }
end

local function wide_table(tbl)
  local numeric, count = {}, 0
  for i, spec in ipairs(tbl.colspecs) do
    if spec[1] == "AlignRight" then numeric[i], count = true, count + 1 end
  end
  if count < COUNTS then return nil end
  for i, spec in ipairs(tbl.colspecs) do tbl.colspecs[i] = { spec[1], pandoc.ColWidthDefault } end
  if count <= WIDE then return tbl end
  for _, row in ipairs(tbl.head.rows) do
    local column = 1
    for _, cell in ipairs(row.cells) do
      if numeric[column] and cell.col_span == 1 then turn_head(cell) end
      column = column + cell.col_span
    end
  end
  return tbl
end

-- Typst: a heading and the one paragraph that leads in to a table or figure stay with it (issue
-- 30: headings kept with their tables). The heading is sticky (templates/typst/document.typ); the
-- lead-in paragraph between it and the table is made sticky here (the function lead-in there), so
-- the three move together.
-- The DOCX does the same with keep-with-next (coopdocs.render.docx.keep_tables).
local function lead_ins(blocks)
  if FORMAT ~= "typst" then return nil end
  local out, changed = pandoc.List(), false
  for i, block in ipairs(blocks) do
    local after, before = blocks[i + 1], blocks[i - 1]
    local shown = after and (after.t == "Table" or after.t == "Figure")
    if block.t == "Para" and shown and before and before.t == "Header" then
      out:insert(pandoc.RawBlock("typst", "#lead-in["))
      out:insert(block)
      out:insert(pandoc.RawBlock("typst", "]"))
      changed = true
    else
      out:insert(block)
    end
  end
  return changed and out or nil
end

-- Only the passes this format needs: a pass over every list of blocks costs a long document's
-- writer ~0.05 s even when its function returns nil at once.
local passes = { { Meta = meta }, { Image = image } }
if FORMAT:match("^html") then passes[2].Table = table end
if FORMAT == "typst" then passes[2].Table = wide_table end
if FORMAT == "typst" then passes[#passes + 1] = { Blocks = lead_ins } end
return passes
