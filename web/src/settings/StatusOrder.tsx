import type { ReactNode } from 'react';
import {
  closestCenter,
  DndContext,
  KeyboardSensor,
  PointerSensor,
  useSensor,
  useSensors,
  type DragEndEvent,
} from '@dnd-kit/core';
import {
  arrayMove,
  SortableContext,
  sortableKeyboardCoordinates,
  useSortable,
  verticalListSortingStrategy,
} from '@dnd-kit/sortable';
import '../components/inline.css';

/** "Demo booked!" -> "demo_booked": the key a status gets from its label unless the admin types one. */
export function keyFromLabel(label: string): string {
  const k = label
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^[^a-z]+/, '')
    .replace(/_+$/, '');
  return k.slice(0, 50).replace(/_+$/, '');
}

/**
 * The statuses' rows reordered by dragging their handle (@dnd-kit): with a mouse or a finger, or from the
 * keyboard (focus the handle, Space to lift, arrows to move, Space to drop; screen readers hear each step).
 */
export function SortableStatuses({
  keys,
  labelOf,
  onReorder,
  children,
}: {
  keys: string[];
  labelOf: (key: string) => string;
  onReorder: (keys: string[]) => void;
  children: ReactNode;
}) {
  const sensors = useSensors(
    useSensor(PointerSensor, { activationConstraint: { distance: 4 } }),
    useSensor(KeyboardSensor, { coordinateGetter: sortableKeyboardCoordinates }),
  );
  function end(e: DragEndEvent) {
    const { active, over } = e;
    if (!over || active.id === over.id) return;
    onReorder(arrayMove(keys, keys.indexOf(String(active.id)), keys.indexOf(String(over.id))));
  }
  const pos = (id: string | number) => keys.indexOf(String(id)) + 1;
  return (
    <DndContext
      sensors={sensors}
      collisionDetection={closestCenter}
      onDragEnd={end}
      accessibility={{
        announcements: {
          onDragStart: ({ active }) => `Picked up ${labelOf(String(active.id))}, position ${pos(active.id)}.`,
          onDragOver: ({ active, over }) =>
            over ? `${labelOf(String(active.id))} is over position ${pos(over.id)}.` : '',
          onDragEnd: ({ active, over }) =>
            over
              ? `${labelOf(String(active.id))} dropped at position ${pos(over.id)}.`
              : `${labelOf(String(active.id))} dropped.`,
          onDragCancel: ({ active }) => `Moving ${labelOf(String(active.id))} was cancelled.`,
        },
        screenReaderInstructions: {
          draggable: 'To reorder, press Space, then the arrow keys, then Space again to drop, or Escape.',
        },
      }}
    >
      <SortableContext items={keys} strategy={verticalListSortingStrategy}>
        {children}
      </SortableContext>
    </DndContext>
  );
}

/** A status row that drags by its handle (the first cell). */
export function SortableRow({ id, label, children }: { id: string; label: string; children: ReactNode }) {
  const { attributes, listeners, setNodeRef, setActivatorNodeRef, transform, transition, isDragging } =
    useSortable({ id });
  return (
    <tr
      ref={setNodeRef}
      style={{
        transform: transform ? `translate3d(${transform.x}px, ${transform.y}px, 0)` : undefined,
        transition,
        position: 'relative',
        zIndex: isDragging ? 2 : undefined,
        background: isDragging ? 'var(--card)' : undefined,
      }}
    >
      <td>
        <button
          type="button"
          ref={setActivatorNodeRef}
          className="drag-handle"
          {...attributes}
          {...listeners}
          aria-label={`Move ${label}`}
        >
          ⠿
        </button>
      </td>
      {children}
    </tr>
  );
}
